/**
 * Framing: the length of one complete top-level RESP value, found by an iterative scan (an explicit
 * stack of remaining element counts, never recursion), so hostile nesting or element counts cost
 * time linear in the bytes and nothing more. A scan that runs out of bytes can be resumed where it
 * stopped, so a huge value arriving in many segments is not rescanned from its start each time.
 */
import { MAX_PENDING_BYTES } from '../../app';
import { lineLength, lineSpan, parseInt64, toInt32 } from './lines';

/** Aggregates nested deeper than this are shown as their header alone (Wireshark's limit is 30). */
export const MAX_DEPTH = 30;

/**
 * An aggregate owing more elements than this can never complete: each element takes at least
 * 3 bytes ("_\r\n") and reassembly keeps at most MAX_PENDING_BYTES per direction. Such a
 * header is a message of its own, shown as malformed, instead of
 * stalling the stream until its end (Redis itself answers "invalid multibulk length").
 */
export const MAX_ELEMENTS = Math.floor(MAX_PENDING_BYTES / 3);

/** Whether an aggregate header's count is beyond what any reassembly could complete. */
export function impossibleCount(count: bigint, width: number): boolean {
  return count * BigInt(width) > BigInt(MAX_ELEMENTS);
}

/** Types whose header line carries a byte length followed by that many bytes and CRLF. */
export function isBlobType(t: number): boolean {
  return t === 0x24 /* $ */ || t === 0x21 /* ! */ || t === 0x3d /* = */;
}

/** Aggregates: element count multiplier (maps and attributes hold key/value pairs), or 0. */
export function aggregateWidth(t: number): number {
  if (t === 0x2a /* * */ || t === 0x7e /* ~ */ || t === 0x3e /* > */) return 1;
  if (t === 0x25 /* % */ || t === 0x7c /* | */) return 2;
  return 0;
}

/** Where a scan stopped for lack of bytes. */
export interface ScanProgress {
  /** Offset (from the message start) of the element to parse next. */
  pos: number;
  /** Elements still owed by each open aggregate, outermost first. */
  stack: number[];
  /** Fingerprint of the bytes already scanned, to check a resumed scan sees the same message. */
  head: Uint8Array;
  tail: Uint8Array;
}

export type ScanResult = { length: number } | { more: ScanProgress };

const PRINT = 16;

function fingerprint(data: Uint8Array, pos: number): { head: Uint8Array; tail: Uint8Array } {
  return { head: data.slice(0, Math.min(PRINT, pos)), tail: data.slice(Math.max(0, pos - PRINT), pos) };
}

function sameBytes(a: Uint8Array, data: Uint8Array, off: number): boolean {
  if (off < 0 || off + a.length > data.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== data[off + i]) return false;
  return true;
}

/** True when `p` can continue a scan of `data` (the same message, with at least as many bytes). */
export function canResume(p: ScanProgress, data: Uint8Array): boolean {
  return p.pos <= data.length && sameBytes(p.head, data, 0) && sameBytes(p.tail, data, p.pos - p.tail.length);
}

/** Scan the top-level value at data[0], optionally resuming an earlier scan of the same message. */
export function scanMessage(data: Uint8Array, from?: ScanProgress): ScanResult {
  let pos = from ? from.pos : 0;
  const stack = from ? from.stack.slice() : [];
  for (;;) {
    const len = lineLength(data, pos);
    if (len < 0) return { more: { pos, stack, ...fingerprint(data, pos) } };
    const t = data[pos]!;
    let span = lineSpan(data, pos, len);
    if (isBlobType(t)) {
      const n = toInt32(parseInt64(data, pos + 1, pos + len));
      if (n >= 0) {
        span = len + 2 + n + 2;
        if (pos + span > data.length) return { more: { pos, stack, ...fingerprint(data, pos) } };
      }
    } else {
      const width = aggregateWidth(t);
      if (width && stack.length <= MAX_DEPTH) {
        const count = parseInt64(data, pos + 1, pos + len);
        if (count > 0n && !(stack.length === 0 && impossibleCount(count, width))) {
          // Counts beyond 2^53 can never complete; a float approximation is enough to keep waiting.
          stack.push(Number(count) * width);
          pos += span;
          continue;
        }
      }
    }
    pos += span;
    // One element done: close every aggregate it completes.
    while (stack.length) {
      const left = stack[stack.length - 1]! - 1;
      if (left > 0) { stack[stack.length - 1] = left; break; }
      stack.pop();
    }
    if (!stack.length) return { length: pos };
  }
}
