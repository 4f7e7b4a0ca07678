/** pcapng block types and option codes used by the reader and writer. */
export const BlockType = {
  SHB: 0x0a0d0d0a,
  IDB: 0x00000001,
  /** Obsolete Packet Block. */
  OPB: 0x00000002,
  SPB: 0x00000003,
  /** Custom blocks (copy allowed / not allowed): tshark shows them as frames of data. */
  CB_COPY: 0x00000bad,
  CB_NOCOPY: 0x40000bad,
  NRB: 0x00000004,
  ISB: 0x00000005,
  EPB: 0x00000006,
} as const;

export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

export const Opt = {
  END: 0,
  COMMENT: 1,
  /** shb_hardware / if_name / epb_flags share code 2 (meaning depends on the block). */
  SHB_HARDWARE: 2,
  SHB_OS: 3,
  SHB_USERAPPL: 4,
  IF_NAME: 2,
  IF_DESCRIPTION: 3,
  IF_TSRESOL: 9,
  IF_FCSLEN: 13,
  IF_TSOFFSET: 14,
  EPB_FLAGS: 2,
} as const;

/** Round up to the pcapng 32-bit alignment. */
export function pad4(n: number): number {
  return n + ((4 - (n % 4)) % 4); // arithmetic, not bit ops: block lengths may exceed 2^31
}

/** Bytes of block overhead: type + total length + trailing total length. */
export const BLOCK_OVERHEAD = 12;
/** Fixed parts (including the overhead) of each block type. */
export const MIN_SHB = 28;
export const MIN_IDB = 20;
export const MIN_EPB = 32;
export const MIN_OPB = 32;
export const MIN_SPB = 16;
