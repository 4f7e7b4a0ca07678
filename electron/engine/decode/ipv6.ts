/** IPv6 with the common extension headers (hop-by-hop, routing, destination options, fragment). */
import { IPV6, IPV6_DSTOPTS, IPV6_FRAGHDR, IPV6_HOPOPTS, IPV6_ROUTING } from '../../../shared/fields/ip';
import type { Layers } from './layers';
import type { Tvb } from './tvb';
import { ipv6Text } from './addr';

export function dissectIpv6(L: Layers, tvb: Tvb): number {
  const { tree, pinfo } = L;
  const F = IPV6.f;
  tvb.check(0, 40);
  const item = tree.protocol(null, IPV6, tvb, 0, 40);
  tree.add(item, F.version, tvb, 0, 1, tvb.u8(0) >> 4);
  tree.item(item, F.tclass, tvb, 0, 4);
  tree.item(item, F.flow, tvb, 1, 3);
  let plen = tvb.u16(4);
  tree.add(item, F.plen, tvb, 4, 2, plen);
  let nxt = tvb.u8(6);
  tree.add(item, F.nxt, tvb, 6, 1, nxt);
  tree.item(item, F.hlim, tvb, 7, 1);
  const src = tvb.bytes(8, 16), dst = tvb.bytes(24, 16);
  tree.add(item, F.src, tvb, 8, 16, src);
  tree.hidden(item, F.addr, tvb, 8, 16, src);
  tree.add(item, F.dst, tvb, 24, 16, dst);
  tree.hidden(item, F.addr, tvb, 24, 16, dst);
  const srcText = ipv6Text(src), dstText = ipv6Text(dst);
  item.text = `Internet Protocol Version 6, Src: ${srcText}, Dst: ${dstText}`;
  pinfo.src = srcText;
  pinfo.dst = dstText;
  pinfo.colProtocol = 'IPv6';
  L.net = { family: 6, srcKey: '6:' + srcText, dstKey: '6:' + dstText };
  if (plen === 0) plen = tvb.reported - 40; // jumbogram or segmentation offload
  const end = Math.min(40 + plen, tvb.reported);
  let off = 40;
  for (let hops = 0; hops < 8; hops++) {
    if (nxt === 0 || nxt === 43 || nxt === 60) {
      const proto = nxt === 0 ? IPV6_HOPOPTS : nxt === 43 ? IPV6_ROUTING : IPV6_DSTOPTS;
      const len = (tvb.u8(off + 1) + 1) * 8;
      tvb.check(off, len);
      const ext = tree.protocol(item, proto, tvb, off, len);
      const next = tvb.u8(off);
      tree.add(ext, nxt === 0 ? F.hopoptsNxt : nxt === 43 ? F.routingNxt : F.dstoptsNxt, tvb, off, 1, next);
      tree.add(ext, nxt === 0 ? F.hopoptsLen : nxt === 43 ? F.routingLen : F.dstoptsLen, tvb, off + 1, 1, tvb.u8(off + 1));
      if (nxt === 43) tree.item(ext, F.routingType, tvb, off + 2, 1);
      nxt = next;
      off += len;
      continue;
    }
    if (nxt === 44) {
      tvb.check(off, 8);
      const ext = tree.protocol(item, IPV6_FRAGHDR, tvb, off, 8);
      const next = tvb.u8(off);
      tree.add(ext, F.fragNxt, tvb, off, 1, next);
      tree.item(ext, F.fragOffset, tvb, off + 2, 2);
      tree.item(ext, F.fragMore, tvb, off + 2, 2);
      tree.item(ext, F.fragIdent, tvb, off + 4, 4);
      const word = tvb.u16(off + 2);
      off += 8;
      if ((word & 0xfff8) !== 0 || (word & 1) !== 0) {
        const payload = tvb.subReported(off, Math.max(0, end - off));
        tree.text(null, payload, 0, payload.length, 'IPv6 fragment (not reassembled)');
        return end;
      }
      nxt = next;
      continue;
    }
    break;
  }
  if (off > end) { tree.malformed(item, 'IPv6', 'extension headers run past the payload length'); return end; }
  L.ipPayload(nxt, tvb.subReported(off, end - off));
  return end;
}
