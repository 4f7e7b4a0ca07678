/**
 * The argument shapes of every DbwireApi request, checked where a request enters the engine side
 * (the WebSocket host and the Electron engine process) before the service sees it. The same table
 * is the reviewed description of the API surface (the preload surface snapshot test prints it).
 */
import { API_METHODS, type ApiMethod } from '../../shared/api/types';

export interface ArgSpec {
  readonly name: string;
  /** A short description of the accepted values (snapshotted). */
  readonly shape: string;
  /** null when `v` is acceptable, else why not. */
  check(v: unknown): string | null;
}

const MAX_PATH = 4096;
const MAX_FILTER = 64 * 1024;
const MAX_FRAMES = 10_000_000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const session: ArgSpec = {
  name: 'session', shape: 'string(1..128)',
  check: (v) => (typeof v === 'string' && v.length > 0 && v.length <= 128 ? null : 'a session id'),
};

function path(name: string): ArgSpec {
  return {
    name, shape: `string(1..${MAX_PATH}, no NUL)`,
    check: (v) => (typeof v === 'string' && v.length > 0 && v.length <= MAX_PATH && !v.includes('\0') ? null : 'a file path'),
  };
}

function uint(name: string, max = Number.MAX_SAFE_INTEGER): ArgSpec {
  return {
    name, shape: `uint(0..${max})`,
    check: (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= max ? null : `an integer 0..${max}`),
  };
}

const filterExpr: ArgSpec = {
  name: 'expr', shape: `string(0..${MAX_FILTER})`,
  check: (v) => (typeof v === 'string' && v.length <= MAX_FILTER ? null : 'a display filter string'),
};

function keysOnly(v: Record<string, unknown>, allowed: readonly string[]): string | null {
  const extra = Object.keys(v).filter((k) => !allowed.includes(k));
  return extra.length ? `unknown field ${extra[0]}` : null;
}

function checkFrames(v: unknown): string | null {
  if (!Array.isArray(v) || v.length > MAX_FRAMES) return 'frames: an array of frame numbers';
  for (const f of v) if (typeof f !== 'number' || !Number.isSafeInteger(f) || f < 1) return 'frames: frame numbers are integers >= 1';
  return null;
}

const exportRequest: ArgSpec = {
  name: 'req',
  shape: "{ what: {kind:'displayed'} | {kind:'frames', frames: uint[]} | {kind:'stream', stream: uint}, format: 'pcap'|'pcapng', path }",
  check(v) {
    if (!isRecord(v)) return 'an export request';
    const bad = keysOnly(v, ['what', 'format', 'path']);
    if (bad) return bad;
    if (v.format !== 'pcap' && v.format !== 'pcapng') return "format: 'pcap' or 'pcapng'";
    const p = path('path').check(v.path);
    if (p) return `path: ${p}`;
    const w = v.what;
    if (!isRecord(w)) return 'what: an object';
    switch (w.kind) {
      case 'displayed': return keysOnly(w, ['kind']);
      case 'frames': return keysOnly(w, ['kind', 'frames']) ?? checkFrames(w.frames);
      case 'stream': return keysOnly(w, ['kind', 'stream']) ?? (uint('stream').check(w.stream) && 'stream: a tcp.stream number');
      default: return "what.kind: 'displayed', 'frames' or 'stream'";
    }
  },
};

function optionalUint(v: Record<string, unknown>, k: string, max: number): string | null {
  return v[k] === undefined ? null : uint(k, max).check(v[k]) && `${k}: an integer 0..${max}`;
}

const captureRequest: ArgSpec = {
  name: 'req',
  shape: "{ iface: string(1..256), filter?: string(0..65536), backend?: 'cap'|'dumpcap'|'tcpdump', bufferMiB?: uint(1..4096), stop?: { packets?, seconds?, kilobytes? } }",
  check(v) {
    if (!isRecord(v)) return 'a capture request';
    const bad = keysOnly(v, ['iface', 'filter', 'backend', 'bufferMiB', 'stop']);
    if (bad) return bad;
    if (typeof v.iface !== 'string' || v.iface.length === 0 || v.iface.length > 256 || v.iface.includes('\0')) return 'iface: an interface name';
    if (v.filter !== undefined && (typeof v.filter !== 'string' || v.filter.length > MAX_FILTER)) return 'filter: a capture filter string';
    if (v.backend !== undefined && v.backend !== 'cap' && v.backend !== 'dumpcap' && v.backend !== 'tcpdump') return "backend: 'cap', 'dumpcap' or 'tcpdump'";
    if (v.bufferMiB !== undefined && (uint('bufferMiB', 4096).check(v.bufferMiB) || v.bufferMiB === 0)) return 'bufferMiB: an integer 1..4096';
    if (v.stop !== undefined) {
      if (!isRecord(v.stop)) return 'stop: an object';
      const s = v.stop;
      return keysOnly(s, ['packets', 'seconds', 'kilobytes']) ?? optionalUint(s, 'packets', 2 ** 40) ?? optionalUint(s, 'seconds', 366 * 86400) ?? optionalUint(s, 'kilobytes', 2 ** 40);
    }
    return null;
  },
};

/** The arguments of each request, in order. */
export const API_ARGS: { readonly [M in ApiMethod]: readonly ArgSpec[] } = {
  openFile: [path('path')],
  closeSession: [session],
  progress: [session],
  cancel: [session],
  rows: [session, uint('start'), uint('count', 100_000)],
  packet: [session, uint('num')],
  setFilter: [session, filterExpr],
  connections: [session],
  transactions: [session],
  conversation: [session, uint('stream')],
  exportPackets: [session, exportRequest],
  interfaces: [],
  startCapture: [captureRequest],
  stopCapture: [session],
  saveCapture: [session, path('path')],
};

export function isApiMethod(m: unknown): m is ApiMethod {
  return typeof m === 'string' && (API_METHODS as readonly string[]).includes(m);
}

/** null when the call is well-formed, else a message naming the bad argument. */
export function checkApiArgs(method: ApiMethod, args: readonly unknown[]): string | null {
  const specs = API_ARGS[method];
  if (args.length !== specs.length) return `${method} takes ${specs.length} argument(s), got ${args.length}`;
  for (let i = 0; i < specs.length; i++) {
    const why = specs[i]!.check(args[i]);
    if (why) return `${method}: argument ${specs[i]!.name} must be ${why}`;
  }
  return null;
}
