/**
 * REdis Serialization Protocol decoder (RESP2 and RESP3), modelled on Wireshark's packet-resp.c:
 * each top-level value is one message; lines with an unknown type byte (inline commands such as
 * "PING\r\n") are one-line messages shown as fragments, as tshark does.
 */
import { RESP } from '../../../../shared/fields/resp';
import { NEED_MORE, type AppContext, type TcpAppDissector } from '../app';
import type { ProtoNode } from '../tree';
import type { Tvb } from '../tvb';
import { dissectValue } from './resp/dissect';
import { clientEvents, newSession, serverEvents, type RespSession } from './resp/events';
import { lineLength } from './resp/lines';
import { probeResp } from './resp/probe';
import { canResume, scanMessage, type ScanProgress } from './resp/scan';

export interface RespState extends RespSession {
  /** Unfinished scans per direction [client, server], resumed when more bytes arrive. */
  scans: [ScanProgress | null, ScanProgress | null];
}

function pduLength(bytes: Uint8Array, state: RespState, fromServer: boolean, off = 0): number {
  // (the scanner works on a view: its resume state keeps offsets from the message start)
  const data = off ? bytes.subarray(off) : bytes;
  const dir = fromServer ? 1 : 0;
  const prev = state.scans[dir];
  const r = scanMessage(data, prev && canResume(prev, data) ? prev : undefined);
  if ('length' in r) {
    state.scans[dir] = null;
    return r.length;
  }
  state.scans[dir] = r.more;
  return NEED_MORE;
}

function dissect(tvb: Tvb, parent: ProtoNode, ctx: AppContext<RespState>): void {
  const { pinfo, tree, state, fromServer } = ctx;
  pinfo.colProtocol = RESP.short;
  if (!pinfo.colInfo.startsWith('Request:') && !pinfo.colInfo.startsWith('Response:')) {
    pinfo.colInfo = fromServer ? 'Response:' : 'Request:';
  }
  const value = dissectValue(tree, tvb, parent, pinfo, fromServer);
  const events = fromServer ? serverEvents(state, value) : clientEvents(state, value);
  for (const e of events) ctx.emit(e);
}

/** After a loss, the next line that starts with a RESP type byte right after a line end. */
function resync(data: Uint8Array): number {
  for (let i = 0; i < data.length; i++) {
    if (i > 0 && data[i - 1] !== 0x0a) continue;
    const b = data[i]!;
    if (b === 0x2a || b === 0x2b || b === 0x2d || b === 0x3a || b === 0x3e) {
      if (lineLength(data, i) > 0) return i;
    }
  }
  return -1;
}

export const respDissector: TcpAppDissector<RespState> = {
  proto: RESP,
  ports: [6379],
  newState: () => ({ ...newSession(), scans: [null, null] }),
  probe: probeResp,
  pduLength,
  dissect,
  gap(state, fromServer) {
    state.scans[fromServer ? 1 : 0] = null;
  },
  resync: (data) => resync(data),
};
