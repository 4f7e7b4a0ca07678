/**
 * Field-by-field comparison of our dissection with tshark's on the same capture: the in-test
 * version of the team's tshark-compare tool (numbers by value, booleans as 1/0).
 */
import { fieldText } from '../../shared/fields/format';
import { runPass } from '../../electron/engine/pass';
import { tshark } from './tshark';

const US = '\x1f';

export function normalise(v: string): string {
  const t = v.trim();
  if (t === 'True') return '1';
  if (t === 'False') return '0';
  if (/^0x[0-9a-f]+$/i.test(t)) return String(BigInt(t));
  if (/^-?\d+\.\d+$/.test(t)) {
    const [w, f] = t.split('.') as [string, string];
    const frac = (f + '000000000').slice(0, 9).replace(/0+$/, '');
    return frac ? `${w}.${frac}` : w;
  }
  if (/^-?\d+$/.test(t)) return String(BigInt(t));
  return t;
}

/** Per frame, per field: the list of normalised values. */
export type FieldTable = string[][][];

export async function ourFields(file: string, fields: readonly string[], decodeAs = new Map<number, string>()): Promise<FieldTable> {
  const rows: FieldTable = [];
  await runPass(file, { decodeAs }, (d) => {
    rows.push(fields.map((f) => d.tree.all(f).filter((n) => n.def).map((n) => normalise(fieldText(n.def!, n.value)))));
  });
  return rows;
}

export async function tsharkFields(file: string, fields: readonly string[], decodeAs: readonly string[] = []): Promise<FieldTable> {
  const lines = await tshark(file, { fields: [...fields], decodeAs: [...decodeAs], extra: ['-E', `aggregator=${US}`, '-E', 'occurrence=a'] });
  return lines.map((l) => {
    const cells = l.split('\t');
    return fields.map((_, i) => (cells[i] ? cells[i]!.split(US).map(normalise) : []));
  });
}

/** Human-readable differences ("frame 3 ip.ttl: tshark [64] ours [63]"), empty when equal. */
export function diffTables(fields: readonly string[], ref: FieldTable, got: FieldTable): string[] {
  const out: string[] = [];
  if (ref.length !== got.length) out.push(`frame count: tshark ${ref.length}, ours ${got.length}`);
  for (let i = 0; i < Math.min(ref.length, got.length); i++) {
    fields.forEach((f, j) => {
      const a = ref[i]![j]!.join('|'), b = got[i]![j]!.join('|');
      if (a !== b) out.push(`frame ${i + 1} ${f}: tshark [${a}] ours [${b}]`);
    });
  }
  return out;
}
