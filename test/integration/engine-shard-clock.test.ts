// The capture clock seen by a shard of the parallel pass: connections idle until the end of the
// capture, and a forward jump of the clock (captures merged into one file), must read as in one
// sequential pass although each worker dissects only its own connections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ether, ipv4, tcp, writePcap, type PcapRecord } from '../support/frames';
import { CaptureSession } from '../../electron/engine/store/capture-session';
import { CAPTURE_BREAK_SECONDS } from '../../electron/engine/analysis/connections/thresholds';
import { tcpFlowHash } from '../../electron/engine/store/flow-key';
import { ShardAssigner } from '../../electron/engine/store/shard-assign';

let dir: string;
let file: string;
const recs: PcapRecord[] = [];
const CONNS = 12;
const T0 = 1_700_000_000;

const segment = (port: number, seq: number, sec: number): PcapRecord =>
  ({ data: ether(0x0800, ipv4('127.0.0.1', '127.0.0.2', 6, tcp({ sport: port, dport: 5432, seq, ack: 1, flags: 0x18, payload: 'x' }))), sec, usec: 0 });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dbwire-shard-clock-'));
  file = join(dir, 'jump.pcap');
  // Every connection talks for a minute, then the clock jumps past the break; one connection goes on.
  for (let s = 0; s < 60; s += 10) for (let c = 0; c < CONNS; c++) recs.push(segment(40000 + c, 1000 + s, T0 + s));
  for (let s = 0; s < 5; s++) recs.push(segment(40000, 2000 + s, T0 + CAPTURE_BREAK_SECONDS * 2 + s));
  writePcap(file, 1, recs);
});

afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('the capture clock in the parallel pass', () => {
  it('gives each connection the verdict of a sequential pass, whichever worker owns it', async () => {
    // The connections are spread over both workers, and the one that goes on is on one of them only.
    const assigner = new ShardAssigner(2);
    const owners = new Set(recs.map((r) => assigner.ownerOf(tcpFlowHash(1, r.data), r.data.length)));
    expect(owners).toEqual(new Set([0, 1]));
    const sequential = await CaptureSession.open(file, { workers: 0 });
    const parallel = await CaptureSession.open(file, { workers: 2 });
    try {
      await Promise.all([sequential.done, parallel.done]);
      const seq = await sequential.connections();
      expect(seq).toHaveLength(CONNS);
      // The others are idle from their last packet to the break, not to the end of the merged file.
      expect(seq.filter((c) => c.verdict === 'idle-no-keepalive' && !c.client.endsWith(':40000'))).toEqual([]);
      expect(JSON.stringify(await parallel.connections())).toBe(JSON.stringify(seq));
    } finally {
      sequential.close();
      parallel.close();
    }
  });
});
