/** Bytes no decoder claimed (Wireshark's "data" protocol). */
import { DATA } from '../../../shared/fields/data';
import type { Layers } from './layers';
import type { Tvb } from './tvb';

export function dissectData(L: Layers, tvb: Tvb): void {
  if (tvb.length === 0) return;
  const item = L.tree.protocol(null, DATA, tvb, 0, tvb.length, `Data (${tvb.length} bytes)`);
  L.tree.add(item, DATA.f.data, tvb, 0, tvb.length, tvb.bytes(0, tvb.length));
  L.tree.generated(item, DATA.f.len, tvb.length);
  if (!L.pinfo.colProtocol) L.pinfo.colProtocol = 'Data';
}
