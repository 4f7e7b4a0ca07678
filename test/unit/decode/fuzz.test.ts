// Hostile bytes through the whole decoder stack (link → IP → TCP → reassembly → DB decoders):
// every packet must decode or end in a malformed item, never throw or hang.
import { describe, expect, it } from 'vitest';
import { dissectFrame } from '../../../electron/engine/decode/dissect';
import { DissectSession } from '../../../electron/engine/decode/session';
import { bytes, ether, ipv4, ipv6, tcp } from '../../support/frames';
import { mutate, prng } from '../../support/prng';

const ACK = 0x10, PSH = 0x08, SYN = 0x02;
const V6 = new Array(16).fill(0).map((_, i) => (i === 15 ? 1 : 0));

function seeds(): { link: number; data: Uint8Array }[] {
  const out: { link: number; data: Uint8Array }[] = [];
  const payloads: [number, Uint8Array | string][] = [
    [3306, bytes([0x21, 0, 0, 0, 0x03], 'select * from orders where id = 1')],
    [5432, bytes([0x51, 0, 0, 0, 13], 'select 1;', [0])],
    [6379, '*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n'],
    [11211, 'get user:1 user:2\r\n'],
    [1433, bytes([0x12, 0x01, 0, 0x2f, 0, 0, 1, 0, 0, 0, 0x1a, 0, 6, 1, 0, 0x20, 0, 1, 2, 0, 0x21, 0, 1, 3, 0, 0x22, 0, 4, 4, 0, 0x26, 0, 1, 0xff])],
  ];
  for (const [port, p] of payloads) {
    const seg = tcp({ sport: 50000, dport: port, seq: 1, ack: 1, flags: ACK | PSH, payload: p, options: [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2] });
    out.push({ link: 1, data: ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, seg)) });
    out.push({ link: 1, data: ether(0x86dd, ipv6(V6, V6, 6, seg), [7]) });
    out.push({ link: 113, data: bytes([0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00], ipv4('10.0.0.1', '10.0.0.2', 6, seg)) });
  }
  out.push({ link: 0, data: bytes([2, 0, 0, 0], ipv4('1.1.1.1', '2.2.2.2', 6, tcp({ sport: 1, dport: 2, seq: 1, flags: SYN }))) });
  return out;
}

describe('decoder fuzzing', () => {
  it('survives thousands of mutated packets, and keeps decoding afterwards', () => {
    const seed = Number(process.env.DBWIRE_FUZZ_SEED ?? Date.now() % 1_000_000);
    const rnd = prng(seed);
    const base = seeds();
    const session = new DissectSession();
    let malformed = 0;
    const deadline = Date.now() + 4000;
    let n = 0;
    for (; n < 20000 && Date.now() < deadline; n++) {
      const s = base[Math.floor(rnd() * base.length)]!;
      const data = mutate(s.data, rnd);
      let d;
      try {
        d = dissectFrame(session, { num: n + 1, tsSec: 1_700_000_000, tsNsec: n, capLen: data.length, origLen: data.length, linkType: s.link, iface: 0, data });
      } catch (e) {
        throw new Error(`seed ${seed}, packet ${n + 1} (${Buffer.from(data).toString('hex')}): ${(e as Error).stack}`);
      }
      if (d.tree.has('_ws.malformed')) malformed++;
    }
    expect(n).toBeGreaterThan(500);
    expect(malformed).toBeGreaterThan(0);
    const ok = dissectFrame(session, { num: n + 1, tsSec: 1_700_000_001, tsNsec: 0, capLen: base[0]!.data.length, origLen: base[0]!.data.length, linkType: 1, iface: 0, data: base[0]!.data });
    expect(ok.tree.first('tcp.srcport')?.value).toBe(50000);
  });
});
