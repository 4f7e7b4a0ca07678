/**
 * A quick, stateless look at a frame's headers for the parallel pass: which TCP connection (by
 * its unordered address/port pair) a frame belongs to, as a hash. Every frame of one connection
 * gets the same hash, so one worker sees all of it and its per-stream state (TCP analysis,
 * reassembly, DB decoding) is built exactly as in a single sequential pass.
 */
import { LINKTYPE } from '../decode/link-types';

export const NOT_TCP = -1;

/** Hash (0..2^32-1) of the connection of a TCP frame, or NOT_TCP. Never throws. */
export function tcpFlowHash(linkType: number, d: Uint8Array): number {
  return tcpFlowHashIn(linkType, d, 0, d.length);
}

/**
 * The same, of the frame in d[start, end): the first pass hashes frames in the reader's window
 * without a view of each (see WindowRecord).
 */
export function tcpFlowHashIn(linkType: number, d: Uint8Array, start: number, end: number): number {
  let off: number;
  switch (linkType) {
    case LINKTYPE.EN10MB: return ethertypeAt(d, start + 12, end);
    case LINKTYPE.LINUX_SLL: return end - start >= 16 ? ethertype(d, start + 16, (d[start + 14]! << 8) | d[start + 15]!, 0, end) : NOT_TCP;
    case LINKTYPE.LINUX_SLL2: return end - start >= 20 ? ethertype(d, start + 20, (d[start]! << 8) | d[start + 1]!, 0, end) : NOT_TCP;
    case LINKTYPE.NULL: case LINKTYPE.LOOP: off = start + 4; break;
    case LINKTYPE.RAW: case LINKTYPE.RAW_OPENBSD: case LINKTYPE.RAW_BSDOS: case LINKTYPE.IPV4: case LINKTYPE.IPV6: off = start; break;
    default: return NOT_TCP;
  }
  return ip(d, off, 0, end);
}

// Below, offsets are into `d`, and `e` is where the frame's bytes end.

function ethertypeAt(d: Uint8Array, at: number, e: number): number {
  if (e < at + 2) return NOT_TCP;
  return ethertype(d, at + 2, (d[at]! << 8) | d[at + 1]!, 0, e);
}

function ethertype(d: Uint8Array, off: number, type: number, depth: number, e: number): number {
  // VLAN tags (802.1Q, 802.1ad, QinQ)
  while ((type === 0x8100 || type === 0x88a8 || type === 0x9100) && depth < 8) {
    if (e < off + 4) return NOT_TCP;
    type = (d[off + 2]! << 8) | d[off + 3]!;
    off += 4;
    depth++;
  }
  if (type === 0x0800 || type === 0x86dd) return ip(d, off, depth, e);
  return NOT_TCP;
}

function ip(d: Uint8Array, off: number, depth: number, e: number): number {
  if (depth > 16 || e < off + 1) return NOT_TCP;
  const v = d[off]! >> 4;
  if (v === 4) {
    if (e < off + 20) return NOT_TCP;
    const ihl = (d[off]! & 15) * 4;
    const proto = d[off + 9]!;
    const t = off + Math.max(ihl, 20);
    const total = (d[off + 2]! << 8) | d[off + 3]!;
    // the IP layer hands TCP only its total length (0 means segmentation offload: the rest)
    const end = total >= 20 ? Math.min(e, off + total) : e;
    if (proto === 6) return tcp(d, t, off + 12, off + 16, 4, end);
    if (proto === 4 || proto === 41) return ip(d, t, depth + 1, e);
    return NOT_TCP;
  }
  if (v === 6) {
    if (e < off + 40) return NOT_TCP;
    let nxt = d[off + 6]!;
    let p = off + 40;
    for (let hops = 0; hops < 8; hops++) {
      if (nxt === 0 || nxt === 43 || nxt === 60) {
        if (e < p + 2) return NOT_TCP;
        nxt = d[p]!;
        p += (d[p + 1]! + 1) * 8;
      } else if (nxt === 44) {
        if (e < p + 8) return NOT_TCP;
        nxt = d[p]!;
        p += 8;
      } else break;
    }
    if (nxt === 6) return tcp(d, p, off + 8, off + 24, 16, e);
    if (nxt === 4 || nxt === 41) return ip(d, p, depth + 1, e);
    return NOT_TCP;
  }
  return NOT_TCP;
}

/** FNV-1a over the lower endpoint then the higher one, so both directions hash alike. */
function tcp(d: Uint8Array, t: number, src: number, dst: number, alen: number, end: number): number {
  // a segment the TCP decoder rejects before conversation analysis (short or bogus header) touches no state
  if (end < t + 20 || (d[t + 12]! >> 4) < 5) return NOT_TCP;
  if (saved) { saved.t = t; saved.end = end; }
  const sp = (d[t]! << 8) | d[t + 1]!, dp = (d[t + 2]! << 8) | d[t + 3]!;
  let cmp = 0;
  for (let i = 0; i < alen && cmp === 0; i++) cmp = d[src + i]! - d[dst + i]!;
  if (cmp === 0) cmp = sp - dp;
  // (no destructured array: this runs for every frame in every worker)
  const lowFirst = cmp <= 0;
  const a = lowFirst ? src : dst, ap = lowFirst ? sp : dp, b = lowFirst ? dst : src, bp = lowFirst ? dp : sp;
  let h = 0x811c9dc5;
  for (let i = 0; i < alen; i++) h = Math.imul(h ^ d[a + i]!, 0x01000193);
  h = Math.imul(h ^ (ap >> 8), 0x01000193); h = Math.imul(h ^ (ap & 255), 0x01000193);
  for (let i = 0; i < alen; i++) h = Math.imul(h ^ d[b + i]!, 0x01000193);
  h = Math.imul(h ^ (bp >> 8), 0x01000193); h = Math.imul(h ^ (bp & 255), 0x01000193);
  return h >>> 0;
}

/** Where a TCP frame's payload lies in its bytes (first TCP header found), or null. */
export function tcpPayload(linkType: number, d: Uint8Array): { readonly start: number; readonly length: number } | null {
  const found = { t: -1, end: 0 };
  findTcp(linkType, d, found);
  if (found.t < 0) return null;
  const hlen = (d[found.t + 12]! >> 4) * 4;
  const start = found.t + hlen;
  return start <= found.end ? { start, length: found.end - start } : null;
}

function findTcp(linkType: number, d: Uint8Array, out: { t: number; end: number }): void {
  saved = out;
  tcpFlowHash(linkType, d);
  saved = null;
}

let saved: { t: number; end: number } | null = null;
