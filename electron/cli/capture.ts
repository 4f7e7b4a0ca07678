/**
 * `dbwire capture`: live capture with the DB layer decoded as packets arrive, printed as
 * tshark-like summary lines (or counts only with -q); -D lists the interfaces like `tshark -D`.
 */
import { relTimeText } from '../../shared/fields/format';
import { LiveCapture } from '../capture/live-session';
import { chooseBackend } from '../capture/choose-backend';
import { CaptureFailure } from '../capture/failure';
import { checkCaptureFilter } from '../capture/filter-check';
import { interfaceLine, listInterfaces } from '../capture/interfaces';
import { discardSpool, saveSpool } from '../capture/spool-dir';
import type { BackendName, SshTarget } from '../capture/types';
import { summaryLine } from './columns';
import { Out } from './out';
import { parseDecodeAsSpec } from './read-options';
import { UsageError } from './usage-error';

export const CAPTURE_USAGE = 'capture   -i IF [-f FILTER] [-w FILE] [-c N] [-a duration:S|filesize:KB] [-B MiB] [-q] [-d tcp.port==N,PROTO]\n' +
  '            [--backend cap|dumpcap|tcpdump] [--ssh [user@]host[:port] [--ssh-sudo] [--ssh-identity FILE] [--ssh-option OPT]]\n' +
  '            live capture, decoded as it arrives; -D lists the interfaces';

interface CaptureOptions {
  list: boolean;
  iface: string;
  filter: string;
  writeFile: string | null;
  count?: number;
  seconds?: number;
  kilobytes?: number;
  bufferMiB: number;
  quiet: boolean;
  backend?: BackendName;
  ssh?: { destination: string; port?: number; sudo: boolean; identity?: string; options: string[] };
  decodeAs: Map<number, string>;
}

function positive(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (!v || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} needs a positive number`);
  return n;
}

export function parseSshSpec(spec: string): { destination: string; port?: number } {
  const m = /^((?:[^@\s]+@)?(?:\[[^\]]+\]|[^:@\s]+))(?::(\d+))?$/.exec(spec);
  if (!m || spec.startsWith('-')) throw new UsageError(`invalid --ssh "${spec}": expected [user@]host[:port]`);
  const port = m[2] ? Number(m[2]) : undefined;
  if (port !== undefined && (port < 1 || port > 65535)) throw new UsageError(`invalid port in --ssh "${spec}"`);
  return { destination: m[1]!.replace(/\[(.*)\]$/, '$1'), port };
}

export function parseCaptureOptions(argv: string[]): CaptureOptions {
  const o: CaptureOptions = { list: false, iface: '', filter: '', writeFile: null, bufferMiB: 64, quiet: false, decodeAs: new Map() };
  const sshExtra = { sudo: false, identity: undefined as string | undefined, options: [] as string[] };
  let sshSpec: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = () => { const v = argv[++i]; if (v === undefined) throw new UsageError(`${a} needs a value`); return v; };
    switch (a) {
      case '-D': case '--list-interfaces': o.list = true; break;
      case '-i': o.iface = val(); break;
      case '-f': o.filter = val(); break;
      case '-w': o.writeFile = val(); break;
      case '-c': o.count = Math.floor(positive(a, val())); break;
      case '-B': o.bufferMiB = positive(a, val()); break;
      case '-q': o.quiet = true; break;
      case '-d': parseDecodeAsSpec(o.decodeAs, val()); break;
      case '-a': {
        const v = val();
        const m = /^(duration|filesize):(\d+(?:\.\d+)?)$/.exec(v);
        if (!m) throw new UsageError(`invalid -a "${v}": expected duration:SECONDS or filesize:KB`);
        if (m[1] === 'duration') o.seconds = Number(m[2]); else o.kilobytes = Number(m[2]);
        break;
      }
      case '--backend': {
        const v = val();
        if (v !== 'cap' && v !== 'dumpcap' && v !== 'tcpdump') throw new UsageError(`--backend must be cap, dumpcap or tcpdump, not "${v}"`);
        o.backend = v;
        break;
      }
      case '--ssh': sshSpec = val(); break;
      case '--ssh-sudo': sshExtra.sudo = true; break;
      case '--ssh-identity': sshExtra.identity = val(); break;
      case '--ssh-option': sshExtra.options.push(val()); break;
      default: throw new UsageError(`unknown option ${a}\nusage: dbwire ${CAPTURE_USAGE}`);
    }
  }
  if (sshSpec !== null) o.ssh = { ...parseSshSpec(sshSpec), ...sshExtra };
  if (!o.list && !o.iface) throw new UsageError(`-i IF is required (dbwire capture -D lists interfaces)\nusage: dbwire ${CAPTURE_USAGE}`);
  return o;
}

function failureText(e: CaptureFailure): string {
  if (e.kind === 'interface') return `${e.message}\n(dbwire capture -D lists the interfaces)`;
  return e.fix && !e.message.includes(e.fix) ? `${e.message}\n${e.fix}` : e.message;
}

export async function runCapture(argv: string[]): Promise<number> {
  const o = parseCaptureOptions(argv);
  if (o.list) return listCommand();
  const out = new Out();
  // Registered before the capture starts: a Ctrl-C while starting stops it as soon as it runs.
  let capture: LiveCapture | null = null;
  let interrupted = false;
  const onSignal = () => { interrupted = true; void capture?.stop(); };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    let backend: BackendName | undefined;
    const check = o.filter ? checkCaptureFilter(o.filter) : null;
    if (check && !check.ok) throw new CaptureFailure('filter', `capture filter "${o.filter}": ${check.message}`);
    if (!o.ssh) {
      const choice = chooseBackend(o.iface, o.backend);
      if (choice.note) process.stderr.write(`dbwire capture: ${choice.note}\n`);
      backend = choice.backend;
    }
    const ssh: SshTarget | undefined = o.ssh;
    capture = await LiveCapture.start({
      iface: o.iface, filter: o.filter, backend, ssh, bufferMiB: o.bufferMiB, decodeAs: o.decodeAs,
      stop: { packets: o.count, seconds: o.seconds, kilobytes: o.kilobytes },
    });
  } catch (e) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (e instanceof CaptureFailure) {
      process.stderr.write(`dbwire capture: ${failureText(e)}\n`);
      return 2;
    }
    throw e;
  }
  if (interrupted) void capture.stop();
  process.stderr.write(`Capturing on '${o.iface}'${o.ssh ? ` at ${o.ssh.destination}` : ''} (${capture.backend})\n`);
  if (!o.quiet) {
    capture.onFrame = (d, f) => out.line(summaryLine(d, relTimeText(d.relNs), f.origLen));
    capture.onBatch = () => out.flush();
  }
  const end = await capture.ended;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  out.flush();
  const s = end.stats;
  process.stderr.write(`${s.decoded} packet${s.decoded === 1 ? '' : 's'} captured${s.dropped !== null ? `, ${s.dropped} dropped` : ''}\n`);
  if (o.writeFile) saveSpool(end.spoolPath, o.writeFile);
  else discardSpool(end.spoolPath);
  if (/^failed|killed|spool unreadable|backend ended: /.test(end.reason)) {
    process.stderr.write(`dbwire capture: ${end.reason}\n`);
    return 2;
  }
  return 0;
}

function listCommand(): number {
  let list;
  try {
    list = listInterfaces();
  } catch (e) {
    if (e instanceof CaptureFailure) { process.stderr.write(`dbwire capture: ${e.message}\n`); return 2; }
    throw e;
  }
  const out = new Out();
  list.forEach((ifc, i) => out.line(interfaceLine(i, ifc)));
  out.flush();
  const denied = list.find((i) => !i.permitted);
  if (denied?.fix) process.stderr.write(`\nnote: ${denied.fix.split('\n')[0]}\n`);
  return 0;
}
