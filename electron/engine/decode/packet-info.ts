/** Per-frame facts shared by the layers while one packet is dissected (Wireshark's pinfo). */

export interface PacketInfo {
  /** Frame number, 1-based. */
  readonly num: number;
  /** Absolute time: whole seconds and nanoseconds. */
  readonly tsSec: number;
  readonly tsNsec: number;
  /** Network addresses as display strings, set by the IP layers. */
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  /** tcp.stream, when the packet is TCP. */
  stream: number;
  /** Protocol and Info columns of the summary line. */
  colProtocol: string;
  colInfo: string;
}

export function newPacketInfo(num: number, tsSec: number, tsNsec: number): PacketInfo {
  return { num, tsSec, tsNsec, src: '', dst: '', srcPort: 0, dstPort: 0, stream: -1, colProtocol: '', colInfo: '' };
}

/** Append to the Info column with a separator, as col_append_sep_str. */
export function appendInfo(p: PacketInfo, text: string, sep = ' '): void {
  p.colInfo = p.colInfo ? p.colInfo + sep + text : text;
}
