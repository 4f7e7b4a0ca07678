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
  /**
   * Info text built only if someone reads colInfo before it is replaced: TCP's Info is replaced by
   * the DB decoder's on most DB frames, so the first pass does not build it for them.
   */
  deferInfo(build: () => string): void;
}

class FramePacketInfo implements PacketInfo {
  src = '';
  dst = '';
  srcPort = 0;
  dstPort = 0;
  stream = -1;
  colProtocol = '';
  private info = '';
  private pending: (() => string) | null = null;

  constructor(readonly num: number, readonly tsSec: number, readonly tsNsec: number) {}

  get colInfo(): string {
    if (this.pending) { this.info = this.pending(); this.pending = null; }
    return this.info;
  }

  set colInfo(v: string) {
    this.pending = null;
    this.info = v;
  }

  deferInfo(build: () => string): void {
    this.pending = build;
    this.info = '';
  }
}

export function newPacketInfo(num: number, tsSec: number, tsNsec: number): PacketInfo {
  return new FramePacketInfo(num, tsSec, tsNsec);
}

/** Append to the Info column with a separator, as col_append_sep_str. */
export function appendInfo(p: PacketInfo, text: string, sep = ' '): void {
  p.colInfo = p.colInfo ? p.colInfo + sep + text : text;
}
