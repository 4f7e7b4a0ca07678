/** IPv4. Fragments are flagged and not handed up (reassembly is not done yet). */
import { IP, IP_PROTOCOLS } from '../../../shared/fields/ip';
import type { Layers } from './layers';
import type { Tvb } from './tvb';
import type { ProtoNode } from './tree';
import { ipv4TextOfWord } from './addr';

export function dissectIpv4(L: Layers, tvb: Tvb): number {
  const { tree, pinfo } = L;
  const F = IP.f;
  const b0 = tvb.u8(0);
  const hlen = (b0 & 0x0f) * 4;
  const item = tree.protocol(null, IP, tvb, 0, Math.min(Math.max(hlen, 1), tvb.length));
  tree.add(item, F.version, tvb, 0, 1, b0 >> 4);
  tree.add(item, F.hdrLen, tvb, 0, 1, hlen);
  if (hlen < 20) {
    // Wireshark reports this as an expert error, not as a malformed packet.
    tree.expert(item, F.hdrLenBad, 'Error', `Bogus IP header length (${hlen}, must be at least 20)`, tvb, 0, 1);
    pinfo.colProtocol = 'IPv4';
    pinfo.colInfo = `Bogus IP header length (${hlen}, must be at least 20)`;
    return -1;
  }
  tvb.check(0, 20);
  let totalLen = tvb.u16(2);
  const fragWord = tvb.u16(6);
  const proto = tvb.u8(9);
  const lenItem = tree.lean ? null : headerItems(L, item, tvb, totalLen, proto, tvb.bytes(12, 4), tvb.bytes(16, 4));
  const srcA = tvb.u32(12), dstA = tvb.u32(16);
  const srcTexts = addressTexts(srcA), dstTexts = addressTexts(dstA);
  const srcText = srcTexts.text, dstText = dstTexts.text;
  if (!tree.lean) item.text = `Internet Protocol Version 4, Src: ${srcText}, Dst: ${dstText}`;
  pinfo.src = srcText;
  pinfo.dst = dstText;
  pinfo.colProtocol = 'IPv4';
  L.net = { family: 4, srcKey: srcTexts.key, dstKey: dstTexts.key };
  if (hlen > 20) {
    tvb.check(0, hlen);
    dissectOptions(L, item, tvb, hlen);
  }
  if (totalLen === 0) totalLen = tvb.reported; // TCP segmentation offload: the length was never filled in
  if (totalLen < hlen) {
    tree.expert(lenItem ?? item, F.lenBad, 'Error', `Bogus IP length (${totalLen}, less than header length ${hlen})`, tvb, 2, 2);
    return -1;
  }
  // The payload's length on the wire comes from the header; the capture may hold fewer bytes.
  const end = Math.min(totalLen, tvb.reported);
  const payload = tvb.subReported(hlen, end - hlen);
  const fragOffset = (fragWord & 0x1fff) * 8;
  // Wireshark reassembles fragments it has whole; a first fragment it cannot (bytes not captured)
  // is dissected as it is. Reassembly is not done here yet, so whole fragments stay undecoded.
  if (((fragWord & 0x2000) !== 0 || fragOffset !== 0) && !(fragOffset === 0 && payload.truncated)) {
    const name = IP_PROTOCOLS[proto] ?? String(proto);
    tree.text(null, payload, 0, payload.length, `Fragmented IP protocol (proto=${name} ${proto}, off=${fragOffset}, ID=${tvb.u16(4).toString(16).padStart(4, '0')})`);
    pinfo.colInfo = `Fragmented IP protocol (proto=${name} ${proto}, off=${fragOffset}, ID=${tvb.u16(4).toString(16).padStart(4, '0')})`;
    return end;
  }
  L.ipPayload(proto, payload);
  return end;
}

/** The header's field items (a full tree only). Returns the total-length item. */
function headerItems(L: Layers, item: ProtoNode, tvb: Tvb, totalLen: number, proto: number, src: Uint8Array, dst: Uint8Array): ProtoNode {
  const { tree } = L;
  const F = IP.f;
  const ds = tree.item(item, F.dsfield, tvb, 1, 1);
  tree.item(ds, F.dscp, tvb, 1, 1);
  tree.item(ds, F.ecn, tvb, 1, 1);
  const lenItem = tree.add(item, F.len, tvb, 2, 2, totalLen);
  tree.item(item, F.id, tvb, 4, 2);
  const fl = tree.item(item, F.flags, tvb, 6, 1);
  tree.item(fl, F.flagsRb, tvb, 6, 1);
  tree.item(fl, F.flagsDf, tvb, 6, 1);
  tree.item(fl, F.flagsMf, tvb, 6, 1);
  tree.item(item, F.fragOffset, tvb, 6, 2);
  tree.item(item, F.ttl, tvb, 8, 1);
  tree.add(item, F.proto, tvb, 9, 1, proto);
  tree.item(item, F.checksum, tvb, 10, 2);
  tree.generated(item, F.checksumStatus, 2, undefined, tvb.ds, tvb.base + 10);
  tree.add(item, F.src, tvb, 12, 4, src);
  tree.hidden(item, F.addr, tvb, 12, 4, src);
  tree.add(item, F.dst, tvb, 16, 4, dst);
  tree.hidden(item, F.addr, tvb, 16, 4, dst);
  return lenItem;
}

/**
 * Address texts and conversation keys by address: a capture has few addresses and many packets,
 * so each text is built once (the cache is dropped if a capture has very many). The last two
 * addresses are checked first (a frame's source and destination): a Map lookup per address and
 * frame was a measurable part of the first pass.
 */
interface AddressTexts { readonly text: string; readonly key: string }
const cached = new Map<number, AddressTexts>();
const MAX_CACHED_ADDRESSES = 65536;
let lastA = -1, lastB = -1;
let lastATexts: AddressTexts = { text: '', key: '' }, lastBTexts = lastATexts;

/** `a`: the address as a big-endian u32, the cache key (no bytes view per frame to make a text). */
function addressTexts(a: number): AddressTexts {
  if (a === lastA) return lastATexts;
  if (a === lastB) return lastBTexts;
  let t = cached.get(a);
  if (t === undefined) {
    if (cached.size >= MAX_CACHED_ADDRESSES) cached.clear();
    const text = ipv4TextOfWord(a);
    t = { text, key: '4:' + text };
    cached.set(a, t);
  }
  lastB = lastA; lastBTexts = lastATexts;
  lastA = a; lastATexts = t;
  return t;
}

function dissectOptions(L: Layers, parent: ReturnType<Layers['tree']['protocol']>, tvb: Tvb, hlen: number): void {
  const { tree } = L;
  const opts = tree.text(parent, tvb, 20, hlen - 20, `Options: (${hlen - 20} bytes)`);
  let off = 20;
  while (off < hlen) {
    const type = tvb.u8(off);
    if (type === 0 || type === 1) {
      tree.add(opts, IP.f.optType, tvb, off, 1, type);
      off += 1;
      if (type === 0) break;
      continue;
    }
    if (off + 1 >= hlen) break;
    const len = tvb.u8(off + 1);
    tree.add(opts, IP.f.optType, tvb, off, 1, type);
    tree.add(opts, IP.f.optLen, tvb, off + 1, 1, len);
    if (len < 2 || off + len > hlen) { tree.malformed(opts, 'IPv4', `option length ${len} is invalid`); break; }
    off += len;
  }
}
