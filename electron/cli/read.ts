/** `dbwire read`: decode a capture file and print it the way tshark does. */
import { relTimeText } from '../../shared/fields/format';
import { runPass } from '../engine/pass';
import type { PacketTree } from '../engine/decode/tree';
import { parseReadOptions } from './read-options';
import { FieldsPrinter } from './output-fields';
import { JsonPrinter, printTextTree } from './output-tree';
import { summaryLine } from './columns';
import { Out } from './out';
import { UsageError } from './usage-error';
import { openFailure } from './open-failure';
import { ExportWriter } from '../engine/store/export-writer';

export type FrameMatcher = (tree: PacketTree) => boolean;

export async function loadFilter(expr: string): Promise<FrameMatcher> {
  const { compileFilter } = await import('../engine/filter/index');
  const r = compileFilter(expr);
  if (!r.ok) {
    const { start, end, message } = r.error;
    const caret = ' '.repeat(start) + '^' + '~'.repeat(Math.max(0, end - start - 1));
    throw new UsageError(`display filter error: ${message}\n    ${expr}\n    ${caret}`);
  }
  return (tree) => r.filter.match(tree);
}

export async function runRead(argv: string[]): Promise<number> {
  const o = parseReadOptions(argv);
  const match = o.filter !== null ? await loadFilter(o.filter) : null;
  const out = new Out();
  const fields = o.format === 'fields' ? new FieldsPrinter(o, out) : null;
  const json = o.format === 'json' ? new JsonPrinter(out) : null;
  let shown = 0;
  let result;
  let exporter: ExportWriter | null = null;
  try {
    result = await runPass(o.file, { decodeAs: o.decodeAs }, (d, fr, reader) => {
      if (match && !match(d.tree)) return;
      shown++;
      if (o.writeFile) {
        exporter ??= new ExportWriter(o.writeFile, o.writeFormat, reader);
        exporter.add(fr);
      } else if (!o.quiet) {
        const rel = relTimeText(d.relNs);
        if (fields) fields.print(d, rel);
        else if (json) json.print(d);
        else if (o.verbose) printTextTree(d, out);
        else out.line(summaryLine(d, rel, fr.origLen));
      }
      return shown < o.count && !out.isClosed;
    });
    // -w with no matching frame still writes an empty capture, as tshark does.
    if (o.writeFile) (exporter ?? new ExportWriter(o.writeFile, o.writeFormat, { interfaces: [], sectionComments: [] })).close();
  } catch (e) {
    (exporter as ExportWriter | null)?.abort();
    return openFailure(o.file, e);
  } finally {
    json?.end();
    out.flush();
  }
  if (result.error) {
    process.stderr.write(`dbwire: ${o.file}: ${result.error.message}\n`);
    return 2;
  }
  return 0;
}
