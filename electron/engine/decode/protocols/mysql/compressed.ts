/**
 * The compressed protocol (CLIENT_COMPRESS): each compressed packet has a 7-byte header
 * (compressed length, sequence, uncompressed length) and a zlib payload, or the raw bytes when the
 * uncompressed length is 0. The payload is a piece of the inner MySQL packet stream: inner packets
 * may span compressed packets, so leftovers are kept per direction.
 */
import { inflateSync } from 'node:zlib';
import { MYSQL } from '../../../../../shared/fields/mysql';
import type { AppContext } from '../../app';
import type { ProtoNode } from '../../tree';
import { BoundsError, Tvb } from '../../tvb';
import { F } from './items';
import type { MysqlState } from './state';

export const COMPRESSED_HEADER = 7;
/** Inner bytes kept while waiting for the rest of a packet (one maximal packet plus its header). */
const MAX_LEFTOVER = 0xffffff + 4;

export type InnerPacketDissector = (tvb: Tvb, item: ProtoNode, ctx: AppContext<MysqlState>) => void;

export function dissectCompressed(tvb: Tvb, parent: ProtoNode, ctx: AppContext<MysqlState>, inner: InnerPacketDissector): void {
  const { tree, state: st } = ctx;
  parent.text = 'MySQL Protocol - compressed packet header';
  const clen = tvb.u24le(0);
  tree.add(parent, F.compressedPacketLength, tvb, 0, 3, clen);
  tree.item(parent, F.compressedPacketNumber, tvb, 3, 1);
  const ulen = tvb.u24le(4);
  tree.add(parent, F.compressedPacketLengthUncompressed, tvb, 4, 3, ulen);
  const payload = tvb.sub(COMPRESSED_HEADER, clen);

  let data: Tvb;
  if (ulen > 0) {
    let out: Uint8Array;
    try {
      out = new Uint8Array(inflateSync(payload.data, { maxOutputLength: ulen }));
    } catch (e) {
      tree.expert(parent, F.uncompressFailure, 'Warning', `Can't uncompress packet: ${(e as Error).message}`, tvb, COMPRESSED_HEADER, clen);
      forget(st, ctx.fromServer);
      return;
    }
    data = new Tvb(out, tree.addDataSource('compressed data', out), 0);
  } else {
    data = payload;
  }

  const dir = ctx.fromServer ? 1 : 0;
  const leftover = st.inner[dir];
  if (leftover.length > 0) {
    const all = new Uint8Array(leftover.length + data.length);
    all.set(leftover, 0);
    all.set(data.data, leftover.length);
    data = new Tvb(all, tree.addDataSource('Reassembled MySQL', all), 0);
  }

  let off = 0;
  while (data.length - off >= 4) {
    const len = 4 + data.u24le(off);
    if (off + len > data.length) break;
    const pkt = data.sub(off, len);
    const item = tree.protocol(null, MYSQL, pkt, 0, len);
    try {
      inner(pkt, item, ctx);
    } catch (e) {
      if (!(e instanceof BoundsError)) throw e;
      tree.malformed(item, MYSQL.short, e.message);
    }
    off += len;
  }
  const rest = data.data.subarray(off);
  if (rest.length > MAX_LEFTOVER) {
    tree.expert(parent, F.invalidLength, 'Error', 'Invalid length: inner packet larger than the protocol allows');
    forget(st, ctx.fromServer);
    return;
  }
  st.inner[dir] = rest.slice();
}

/** Drop the partial inner packet of one direction (after lost bytes or a bad payload). */
export function forget(st: MysqlState, fromServer: boolean): void {
  st.inner[fromServer ? 1 : 0] = new Uint8Array(0);
}
