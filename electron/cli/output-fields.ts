/** `-T fields` output: one line per frame, the values of each -e field (tshark's layout). */
import { fieldText } from '../../shared/fields/format';
import { lookupField } from '../../shared/fields/registry';
import type { Dissected } from '../engine/decode/dissect';
import type { ReadOptions } from './read-options';
import { UsageError } from './usage-error';
import type { Out } from './out';
import { columnValue, isColumnField } from './columns';

export class FieldsPrinter {
  constructor(private readonly o: ReadOptions, private readonly out: Out) {
    const bad = o.fields.filter((n) => !isColumnField(n) && !lookupField(n));
    if (bad.length) throw new UsageError(`Some fields aren't valid:\n\t${bad.join('\n\t')}`);
    if (o.header) out.line(o.fields.join(o.separator));
  }

  print(d: Dissected, relTime: string): void {
    const { o } = this;
    const cells: string[] = [];
    for (const name of o.fields) {
      let vals: string[];
      if (isColumnField(name)) vals = [columnValue(name, d, relTime)];
      else {
        const nodes = d.tree.all(name);
        vals = [];
        for (const n of nodes) if (n.def) vals.push(fieldText(n.def, n.value));
      }
      if (o.occurrence === 'f') vals = vals.slice(0, 1);
      else if (o.occurrence === 'l') vals = vals.slice(-1);
      let cell = vals.join(o.aggregator);
      if (o.quote && vals.length) cell = o.quote + cell + o.quote;
      cells.push(cell);
    }
    this.out.line(cells.join(o.separator));
  }
}
