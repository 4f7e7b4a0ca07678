/** UDP (no DB protocol runs over it; the payload is shown as data). */
import { UDP } from '../../../shared/fields/tcp';
import type { Layers } from './layers';
import type { Tvb } from './tvb';

export function dissectUdp(L: Layers, tvb: Tvb): void {
  const { tree, pinfo } = L;
  const F = UDP.f;
  tvb.check(0, 8);
  const srcPort = tvb.u16(0), dstPort = tvb.u16(2), len = tvb.u16(4);
  const item = tree.protocol(null, UDP, tvb, 0, 8, `User Datagram Protocol, Src Port: ${srcPort}, Dst Port: ${dstPort}`);
  tree.add(item, F.srcport, tvb, 0, 2, srcPort);
  tree.add(item, F.dstport, tvb, 2, 2, dstPort);
  tree.hidden(item, F.port, tvb, 0, 2, srcPort);
  tree.hidden(item, F.port, tvb, 2, 2, dstPort);
  const lenItem = tree.add(item, F.length, tvb, 4, 2, len);
  tree.item(item, F.checksum, tvb, 6, 2);
  tree.generated(item, F.checksumStatus, 2);
  const net = L.net;
  const stream = L.session.udpStream(`${net?.srcKey}:${srcPort}`, `${net?.dstKey}:${dstPort}`);
  tree.generated(item, F.stream, stream);
  pinfo.srcPort = srcPort;
  pinfo.dstPort = dstPort;
  pinfo.colProtocol = 'UDP';
  pinfo.colInfo = `${srcPort} → ${dstPort} Len=${Math.max(0, len - 8)}`;
  if (len < 8) { tree.malformed(lenItem, 'UDP', `Bad length value ${len} < 8`); return; }
  const end = Math.min(len, tvb.reported);
  if (end > 8) {
    const payload = tvb.subReported(8, end - 8);
    tree.add(item, F.payload, payload, 0, payload.length, payload.bytes(0, payload.length));
    L.data(payload);
  }
}
