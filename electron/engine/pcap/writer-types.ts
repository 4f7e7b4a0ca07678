/** One packet to write. Timestamps are absolute (seconds + nanoseconds since the epoch). */
export interface PacketToWrite {
  tsSec: number;
  tsNsec: number;
  /** Length on the wire; defaults to data.length. */
  origLen?: number;
  data: Uint8Array;
  /** pcapng: index of the interface (into the writer's interfaces); pcap ignores it. */
  iface?: number;
  /** pcapng only: opt_comment values. */
  comments?: readonly string[];
  /** pcapng only: epb_flags. */
  flags?: number;
}

export interface CaptureWriter {
  readonly format: 'pcap' | 'pcapng';
  writePacket(p: PacketToWrite): void;
  /** Finish and rename the temp file to its final name. */
  close(): void;
  /** Give up: delete the temp file; nothing appears under the final name. */
  abort(): void;
  /** Packets written so far. */
  readonly count: number;
}

/** Split a time into whole seconds and 0..999999999 ns (inputs may carry ns ≥ 1e9). */
export function normaliseTime(tsSec: number, tsNsec: number): { sec: number; nsec: number } {
  if (tsNsec >= 0 && tsNsec < 1e9) return { sec: tsSec, nsec: tsNsec };
  const carry = Math.floor(tsNsec / 1e9);
  return { sec: tsSec + carry, nsec: tsNsec - carry * 1e9 };
}
