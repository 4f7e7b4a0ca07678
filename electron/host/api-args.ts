/**
 * The arguments of every DbwireApi request, checked where a request enters the engine side (the
 * WebSocket host and the Electron engine process) before the service sees it: the number of
 * arguments here, their values by the service's own checks (shared/api/validate.ts), so both
 * agree. The `shape` texts are the reviewed description of the API surface (snapshotted).
 */
import { API_METHODS, type ApiMethod } from '../../shared/api/types';
import {
  MAX_FILTER_LENGTH, MAX_PAGE_ROWS, MAX_PATH_LENGTH, checkAbsolutePath, checkCaptureRequest, checkExportRequest,
  checkCaptureFilterText, checkFilterText, checkFrameNumber, checkSessionId, checkUint,
} from '../../shared/api/validate';

export interface ArgSpec {
  readonly name: string;
  /** A short description of the accepted values (snapshotted). */
  readonly shape: string;
  /** null when `v` is acceptable, else why not. */
  check(v: unknown): string | null;
}

function spec(name: string, shape: string, validate: (v: unknown) => unknown): ArgSpec {
  return {
    name, shape,
    check(v) {
      try {
        validate(v);
        return null;
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    },
  };
}

const session = spec('session', 'string(1..128)', checkSessionId);
const path = (name: string) => spec(name, `absolute path(1..${MAX_PATH_LENGTH}, no NUL)`, (v) => checkAbsolutePath(name, v));
const uint = (name: string, max?: number) => spec(name, `uint(0..${max ?? 'MAX_SAFE_INTEGER'})`, (v) => checkUint(name, v, max));

/** The arguments of each request, in order. */
export const API_ARGS: { readonly [M in ApiMethod]: readonly ArgSpec[] } = {
  openFile: [path('path')],
  closeSession: [session],
  progress: [session],
  cancel: [session],
  rows: [session, uint('start'), uint('count', MAX_PAGE_ROWS)],
  packet: [session, spec('num', 'frame number(1..)', (v) => checkFrameNumber('num', v))],
  setFilter: [session, spec('expr', `string(0..${MAX_FILTER_LENGTH})`, checkFilterText)],
  connections: [session],
  transactions: [session],
  conversation: [session, uint('stream')],
  exportPackets: [session, spec('req', "{ what: {kind:'displayed'} | {kind:'frames', frames: frame number[]} | {kind:'stream', stream: uint}, format: 'pcap'|'pcapng', path: absolute path }", checkExportRequest)],
  interfaces: [],
  checkCaptureFilter: [spec('expr', 'string(0..4096)', checkCaptureFilterText)],
  startCapture: [spec('req', "{ iface: string(1..256), filter?: string, backend?: 'cap'|'dumpcap'|'tcpdump', bufferMiB?: uint(..4096), stop?: { packets?, seconds?, kilobytes? } }", checkCaptureRequest)],
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
  for (const s of specs) {
    const why = s.check(args[specs.indexOf(s)]);
    if (why) return `${method}: ${why}`;
  }
  return null;
}
