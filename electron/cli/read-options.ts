/** tshark-style options of `dbwire read`. */
import { UsageError } from './usage-error';

export type OutputFormat = 'text' | 'fields' | 'json';

export interface ReadOptions {
  file: string;
  format: OutputFormat;
  fields: string[];
  header: boolean;
  separator: string;
  occurrence: 'a' | 'f' | 'l';
  aggregator: string;
  quote: '' | '"' | "'";
  count: number;
  filter: string | null;
  decodeAs: Map<number, string>;
  verbose: boolean;
  writeFile: string | null;
  writeFormat: 'pcap' | 'pcapng';
  showSecrets: boolean;
  quiet: boolean;
}

export function parseReadOptions(argv: string[]): ReadOptions {
  const o: ReadOptions = {
    file: '', format: 'text', fields: [], header: false, separator: '\t', occurrence: 'a', aggregator: ',', quote: '',
    count: Infinity, filter: null, decodeAs: new Map(), verbose: false, writeFile: null, writeFormat: 'pcapng',
    showSecrets: false, quiet: false,
  };
  let formatGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = (): string => {
      // Accept both "-r FILE" and "-rFILE", as getopt does.
      if (a.length > 2 && !a.startsWith('--')) return a.slice(2);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`option ${a} needs a value`);
      return v;
    };
    const flag = a.startsWith('--') ? a : a.slice(0, 2);
    switch (flag) {
      case '-r': o.file = val(); break;
      case '-T': {
        const v = val();
        if (v !== 'fields' && v !== 'text' && v !== 'json') throw new UsageError(`invalid -T "${v}": use fields, text or json`);
        o.format = v; formatGiven = true; break;
      }
      case '-e': o.fields.push(val()); break;
      case '-E': setE(o, val()); break;
      case '-c': {
        const n = Number(val());
        if (!Number.isInteger(n) || n < 1) throw new UsageError('-c needs a positive whole number');
        o.count = n; break;
      }
      case '-Y': o.filter = val(); break;
      case '-d': parseDecodeAs(o, val()); break;
      case '-V': o.verbose = true; break;
      case '-w': o.writeFile = val(); break;
      case '-F': {
        const v = val();
        if (v !== 'pcap' && v !== 'pcapng') throw new UsageError(`invalid -F "${v}": use pcap or pcapng`);
        o.writeFormat = v; break;
      }
      case '-n': case '-2': break; // name resolution is never done; the single pass is what we do
      case '-q': o.quiet = true; break;
      case '--show-secrets': o.showSecrets = true; break;
      default: throw new UsageError(`unknown option ${a}`);
    }
  }
  if (!o.file) throw new UsageError('no capture file: give -r FILE');
  if (o.format === 'fields' && o.fields.length === 0) throw new UsageError('-T fields needs at least one -e FIELD');
  if (!formatGiven && o.fields.length) o.format = 'fields';
  return o;
}

function setE(o: ReadOptions, kv: string): void {
  const eq = kv.indexOf('=');
  if (eq < 0) throw new UsageError(`invalid -E "${kv}": expected name=value`);
  const k = kv.slice(0, eq), v = kv.slice(eq + 1);
  switch (k) {
    case 'header': o.header = v === 'y'; break;
    case 'separator': o.separator = v === '/t' ? '\t' : v === '/s' ? ' ' : v; break;
    case 'occurrence':
      if (v !== 'a' && v !== 'f' && v !== 'l') throw new UsageError(`invalid occurrence "${v}": use f, l or a`);
      o.occurrence = v; break;
    case 'aggregator': o.aggregator = v === '/s' ? ' ' : v === '/t' ? '\t' : v; break;
    case 'quote': o.quote = v === 'd' ? '"' : v === 's' ? "'" : ''; break;
    default: throw new UsageError(`invalid -E option "${k}"`);
  }
}

function parseDecodeAs(o: ReadOptions, spec: string): void {
  parseDecodeAsSpec(o.decodeAs, spec);
}

/** `-d tcp.port==N,PROTO` (also `tcp.port==N-M,PROTO` for a range). */
export function parseDecodeAsSpec(into: Map<number, string>, spec: string): void {
  const m = /^tcp\.port\s*==\s*(\d+)(?:-(\d+))?\s*,\s*([a-z0-9_]+)$/i.exec(spec.trim());
  if (!m) throw new UsageError(`invalid -d "${spec}": expected tcp.port==N,PROTO`);
  const from = Number(m[1]), to = Number(m[2] ?? m[1]);
  if (from > 65535 || to > 65535 || to < from || to - from > 1000) throw new UsageError(`invalid port in -d "${spec}"`);
  for (let p = from; p <= to; p++) into.set(p, m[3]!.toLowerCase());
}
