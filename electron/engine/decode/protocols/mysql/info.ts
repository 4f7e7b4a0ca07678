/**
 * The Info column as Wireshark's MySQL dissector builds it: col_set replaces the text after the
 * fence, col_append adds to it, col_set_fence protects what is there. Several messages in one frame
 * therefore read e.g. "Response TABULAR Response  OK ".
 */
import type { PacketInfo } from '../../packet-info';
import type { MysqlState } from './state';

function begin(st: MysqlState, pinfo: PacketInfo): void {
  if (st.infoFrame !== pinfo.num) {
    st.infoFrame = pinfo.num;
    st.infoFence = '';
  }
}

export function colSet(st: MysqlState, pinfo: PacketInfo, text: string): void {
  begin(st, pinfo);
  pinfo.colInfo = st.infoFence + text;
}

export function colAppend(st: MysqlState, pinfo: PacketInfo, text: string): void {
  begin(st, pinfo);
  pinfo.colInfo += text;
}

export function colFence(st: MysqlState, pinfo: PacketInfo): void {
  begin(st, pinfo);
  st.infoFence = pinfo.colInfo;
}
