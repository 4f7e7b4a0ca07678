// Reading captures with the reference tshark (used by tests to check what a capture holds).
import { runCommand } from './clients';

export interface TsharkQuery {
  /** Display filter (-Y). */
  filter?: string;
  /** Fields to print (-T fields -e ...); without them tshark prints one summary line per frame. */
  fields?: string[];
  /** Decode-as rules, e.g. ['tcp.port==33061,mysql'] (for servers on non-standard ports). */
  decodeAs?: string[];
  /** More tshark arguments (e.g. ['-E', 'aggregator=/s']). */
  extra?: string[];
}

/** Runs tshark on a capture; rejects with tshark's stderr if it fails. */
export async function tshark(file: string, q: TsharkQuery = {}): Promise<string[]> {
  const args = ['-n', '-r', file];
  for (const d of q.decodeAs ?? []) args.push('-d', d);
  if (q.filter) args.push('-Y', q.filter);
  if (q.fields && q.fields.length > 0) {
    args.push('-T', 'fields');
    for (const f of q.fields) args.push('-e', f);
  }
  args.push(...(q.extra ?? []));
  const r = await runCommand('tshark', args, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`tshark ${args.join(' ')} failed (exit ${r.code}):\n${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.length > 0);
}

/** Number of frames matching a display filter. */
export async function countFrames(file: string, filter: string, decodeAs: string[] = []): Promise<number> {
  return (await tshark(file, { filter, decodeAs, fields: ['frame.number'] })).length;
}

/** All values of one field over all frames, in order (several occurrences in a frame are separate values). */
export async function fieldValues(file: string, field: string, decodeAs: string[] = []): Promise<string[]> {
  // A literal tab as the aggregator (tshark 4.0 knows '/s' but not '/t'): values such as SQL
  // text contain the default ','.
  const lines = await tshark(file, { filter: field, decodeAs, fields: [field], extra: ['-E', 'aggregator=\t'] });
  return lines.flatMap((l) => l.split('\t'));
}
