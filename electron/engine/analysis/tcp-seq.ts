/**
 * 32-bit TCP sequence-space arithmetic (Wireshark's LT_SEQ/GT_SEQ/...): numbers are unsigned
 * 32-bit values kept as JS numbers, compared by the sign of their 32-bit difference.
 */

/** (a + b) mod 2^32. */
export function add32(a: number, b: number): number {
  return (a + b) >>> 0;
}

/** (a - b) mod 2^32. */
export function sub32(a: number, b: number): number {
  return (a - b) >>> 0;
}

export function ltSeq(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export function leSeq(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

export function gtSeq(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export function geSeq(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}
