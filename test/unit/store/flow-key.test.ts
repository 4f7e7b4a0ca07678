import { describe, expect, it } from 'vitest';
import { NOT_TCP, tcpFlowHash, tcpFlowHashIn } from '../../../electron/engine/store/flow-key';
import { LINKTYPE } from '../../../electron/engine/decode/link-types';
import { bytes, ether, ipv4, ipv6, tcp, udp } from '../../support/frames';
import { mutate, prng } from '../../support/prng';

const V6A = [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1];
const V6B = [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 2];
const seg = (sport: number, dport: number) => tcp({ sport, dport, seq: 1, flags: 0x18, payload: 'SELECT 1' });

const FRAMES: [number, Uint8Array][] = [
  [LINKTYPE.EN10MB, ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, seg(40000, 5432)))],
  [LINKTYPE.EN10MB, ether(0x0800, ipv4('10.0.0.2', '10.0.0.1', 6, seg(5432, 40000)))],
  [LINKTYPE.EN10MB, ether(0x86dd, ipv6(V6A, V6B, 6, seg(40001, 3306)), [10, 20])],
  [LINKTYPE.EN10MB, ether(0x86dd, ipv6(V6A, V6B, 0, seg(40001, 3306), bytes([6, 0, 1, 4, 0, 0, 0, 0])))],
  [LINKTYPE.EN10MB, ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, udp(5353, 5353, 'x')))],
  [LINKTYPE.LINUX_SLL, bytes([0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00], ipv4('127.0.0.1', '127.0.0.1', 6, seg(1, 2)))],
  [LINKTYPE.NULL, bytes([2, 0, 0, 0], ipv4('127.0.0.1', '127.0.0.1', 6, seg(3, 4)))],
  [LINKTYPE.RAW, ipv4('127.0.0.1', '127.0.0.1', 6, seg(5, 6))],
];

/** `frame` inside a larger buffer, as a reader's window holds it: other bytes before and after. */
function inWindow(frame: Uint8Array, before: number, rnd: () => number): { buf: Uint8Array; start: number; end: number } {
  const buf = new Uint8Array(before + frame.length + 64);
  for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(rnd() * 256);
  buf.set(frame, before);
  return { buf, start: before, end: before + frame.length };
}

describe('tcpFlowHashIn (a frame hashed where it lies in a window)', () => {
  it('hashes a TCP connection alike both ways, and non-TCP as NOT_TCP', () => {
    const [a, b] = [tcpFlowHash(FRAMES[0]![0], FRAMES[0]![1]), tcpFlowHash(FRAMES[1]![0], FRAMES[1]![1])];
    expect(a).not.toBe(NOT_TCP);
    expect(a).toBe(b);
    expect(tcpFlowHash(FRAMES[4]![0], FRAMES[4]![1])).toBe(NOT_TCP);
  });

  it('equals the hash of the frame on its own, for every frame, truncation and mutation', () => {
    const rnd = prng(0x5eed);
    for (const [link, frame] of FRAMES) {
      const variants = [frame, ...Array.from({ length: frame.length }, (_, n) => frame.subarray(0, n)), ...Array.from({ length: 300 }, () => mutate(frame, rnd))];
      for (const v of variants) {
        const w = inWindow(v, Math.floor(rnd() * 40), rnd);
        expect(tcpFlowHashIn(link, w.buf, w.start, w.end)).toBe(tcpFlowHash(link, v));
      }
    }
  });
});
