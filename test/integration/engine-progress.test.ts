/**
 * The first pass on a generated capture larger than one batch: rows are readable before the pass
 * ends, progress counts up to the end, and cancelling stops the pass (in this thread and in
 * workers) with a clear error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ether, ipv4, tcp, writePcap, type PcapRecord } from '../support/frames';
import { CaptureSession, type PassProgress } from '../../electron/engine/store/capture-session';
import { batchEnd } from '../../electron/engine/store/shard-pass';

const FRAMES = 20_000;
let dir: string;
let file: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dbwire-progress-test-'));
  file = join(dir, 'many.pcap');
  const recs: PcapRecord[] = [];
  for (let i = 0; i < FRAMES; i++) {
    const conn = i % 50;
    const seq = 1000 + Math.floor(i / 50) * 10;
    const seg = tcp({ sport: 40000 + conn, dport: 5432, seq, ack: 1, flags: 0x18, payload: 'abcdefghij' });
    recs.push({ data: ether(0x0800, ipv4('127.0.0.1', '127.0.0.2', 6, seg)), sec: 1_700_000_000 + Math.floor(i / 1000), usec: i % 1000 });
  }
  writePcap(file, 1, recs);
});

afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('first pass progress', () => {
  it('serves rows before the pass ends and reports progress to the end', async () => {
    const seen: PassProgress[] = [];
    let early: number | null = null;
    let session: CaptureSession | null = null;
    const s = await CaptureSession.open(file, {
      workers: 0,
      onProgress: (p) => {
        seen.push(p);
        if (early === null && !p.done && session) early = session.rows(0, 10).length;
      },
    });
    session = s;
    await s.done;
    expect(early).toBe(10);
    expect(seen[0]!.done).toBe(false);
    expect(seen[0]!.frames).toBe(batchEnd(0));
    const last = seen[seen.length - 1]!;
    expect(last).toMatchObject({ done: true, frames: FRAMES, bytesDone: s.size, bytesTotal: s.size });
    expect(seen.map((p) => p.frames)).toEqual([...seen.map((p) => p.frames)].sort((a, b) => a - b));
    expect(s.store.tcpStreams).toBe(50);
    s.close();
  });

  it('can be cancelled in this thread', async () => {
    const s = await CaptureSession.open(file, { workers: 0 });
    s.cancel();
    await s.done;
    const p = s.progress();
    expect(p.error).toBe('cancelled');
    expect(p.frames).toBeLessThan(FRAMES);
    s.close();
  });

  it('can be cancelled in workers', async () => {
    const s = await CaptureSession.open(file, { workers: 2 });
    s.cancel();
    await s.done;
    expect(s.progress().error).toBe('cancelled');
    s.close();
  });
});
