/**
 * Memcache Protocol decoder: the text and binary protocols of memcached, told apart per message by
 * the first byte (0x80/0x81 are binary magics; text always starts with a letter), as Wireshark does.
 */
import { MEMCACHE } from '../../../../shared/fields/memcache';
import type { AppContext, TcpAppDissector } from '../app';
import type { ProtoNode } from '../tree';
import type { Tvb } from '../tvb';
import { binaryPduLength, dissectBinary, isBinaryMagic } from './memcache/binary';
import { probeMemcache } from './memcache/probe';
import { dissectText, textPduLength } from './memcache/text';

/** memcached keeps no per-connection state we need: every message says what it is. */
export type MemcacheState = null;

function pduLength(bytes: Uint8Array, _state: MemcacheState, _fromServer: boolean, off = 0): number {
  // (the line scanners work on a view of the message)
  const data = off ? bytes.subarray(off) : bytes;
  if (data.length === 0) return 0;
  return isBinaryMagic(data[0]) ? binaryPduLength(data) : textPduLength(data);
}

function dissect(tvb: Tvb, parent: ProtoNode, ctx: AppContext<MemcacheState>): void {
  const { pinfo, tree, fromServer } = ctx;
  pinfo.colProtocol = MEMCACHE.short;
  const event = isBinaryMagic(tvb.data[0])
    ? dissectBinary(tree, tvb, parent, pinfo)
    : dissectText(tree, tvb, parent, pinfo, fromServer);
  if (event) ctx.emit(event);
}

/** After a loss: the start of the next line (text), since a binary header cannot be recognised reliably. */
function resync(data: Uint8Array): number {
  for (let i = 1; i < data.length; i++) {
    if (data[i - 1] === 0x0a && data[i]! >= 0x41 && data[i]! <= 0x7a) return i;
  }
  return -1;
}

export const memcacheDissector: TcpAppDissector<MemcacheState> = {
  proto: MEMCACHE,
  ports: [11211],
  newState: () => null,
  probe: probeMemcache,
  pduLength,
  dissect,
  resync,
};
