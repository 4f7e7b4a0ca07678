// The first pass dissects with a lean tree (no items, Info built only when a row keeps it):
// its summary columns must be those a full dissection shows, also where the lean paths branch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytes, ether, ipv4, tcp, writePcap, type PcapRecord } from '../../support/frames';
import { CaptureSession } from '../../../electron/engine/store/capture-session';
import { sequentialFrames, type SequentialFrame } from './engine-compare';

const SYN = 0x02, ACK = 0x10, PSH = 0x08;
const NOP = 1;
const MSS = [2, 4, 0x05, 0xb4];
const WS8 = [3, 3, 8];
const SACK_PERM = [4, 2];
const TS = [8, 10, 0, 0, 0, 7, 0, 0, 0, 0];
const syn = (sport: number, options: number[]) => ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp({ sport, dport: 5432, seq: 1000, flags: SYN, options })));

const records: PcapRecord[] = [
  // Linux and Windows option orders, and a hostile header listing MSS twice.
  { data: syn(40001, [...MSS, ...SACK_PERM, ...TS, NOP, ...WS8]) },
  { data: syn(40002, [...MSS, NOP, ...WS8, NOP, NOP, ...SACK_PERM]) },
  { data: syn(40003, [...TS, ...MSS, 2, 4, 0x01, 0x00, NOP, NOP]) },
  // A plain ACK with data the DB decoder takes, and one no decoder takes.
  { data: ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp({ sport: 40004, dport: 5432, seq: 1, ack: 1, flags: ACK | PSH, payload: bytes([0x51, 0, 0, 0, 9], 'SELECT', [0]) }))) },
  { data: ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp({ sport: 40005, dport: 9, seq: 1, ack: 1, flags: ACK | PSH, payload: 'hello' }))) },
  // No IP layer sets the address columns: ARP, a bogus IPv4 header length, IPv4 cut short.
  { data: ether(0x0806, bytes([0, 1, 8, 0, 6, 4, 0, 1], new Array(20).fill(0))) },
  { data: ether(0x0800, bytes([0x44], new Array(30).fill(0))) },
  { data: ether(0x0800, bytes([0x45, 0, 0, 40, 0, 0])) },
  // IPv4 options; a TCP header longer than the segment.
  { data: ether(0x0800, ipv4('10.0.0.1', '10.0.0.3', 6, tcp({ sport: 40006, dport: 80, seq: 5, flags: SYN }), { ipOptions: [NOP, NOP, NOP, 0] })) },
  { data: ether(0x0800, ipv4('10.0.0.1', '10.0.0.3', 6, bytes([0x9c, 0x47, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0xf0, 0x02, 0xff, 0xff, 0, 0, 0, 0]))) },
];

let dir: string;
let file: string;
let seq: SequentialFrame[];
let session: CaptureSession;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dbwire-lean-'));
  file = join(dir, 'lean.pcap');
  writePcap(file, 1, records);
  seq = await sequentialFrames(file, new Map());
  session = await CaptureSession.open(file, { workers: 0 });
  await session.done;
});

afterAll(() => {
  session?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the lean first pass', () => {
  it('fills the summary columns a full dissection shows, frame by frame', () => {
    const rows = session.rows(0, records.length);
    expect(rows).toHaveLength(records.length);
    rows.forEach((r, i) => {
      const f = seq[i]!;
      const info = typeof r.info === 'string' ? r.info : Buffer.from(r.info).toString('utf8');
      expect({ frame: i + 1, protocol: r.protocol, info, src: r.source, dst: r.destination })
        .toEqual({ frame: i + 1, protocol: f.protocol, info: f.info, src: f.src, dst: f.dst });
    });
  });

  it('lists TCP options in Info in header order, as Wireshark does', () => {
    expect(seq[0]!.info).toMatch(/Len=0 MSS=1460 SACK_PERM TSval=7 TSecr=0 WS=256$/);
    expect(seq[1]!.info).toMatch(/Len=0 MSS=1460 WS=256 SACK_PERM$/);
    expect(seq[2]!.info).toMatch(/Len=0 TSval=7 TSecr=0 MSS=1460 MSS=256$/);
  });

  it('gives frames without an IP layer the link addresses', () => {
    expect(seq.slice(5, 8).map((f) => [f.src, f.dst])).toEqual(Array(3).fill(['02:00:00:00:00:0a', '02:00:00:00:00:0b']));
  });
});
