// Column filters run chunk at a time on the typed-array columns (column-fast); they must select
// exactly what the compiled filter selects on ColumnTree (the per-frame view with the filter's own
// semantics), across chunk boundaries, for TCP, UDP and frames that are neither.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFilter } from '../../../electron/engine/filter/index';
import { CaptureSession } from '../../../electron/engine/store/capture-session';
import { CHUNK } from '../../../electron/engine/store/chunked';
import { ColumnTree } from '../../../electron/engine/store/column-tree';
import { KIND_SIMPLE } from '../../../electron/engine/store/batch';
import { ether, ipv4, tcp, udp, writePcap, type PcapRecord } from '../../support/frames';
import { prng } from '../../support/prng';

let dir: string;
let session: CaptureSession;

/** More than two chunks of frames: TCP with random flags and ports, UDP, and ARP (no IP at all). */
function mixedCapture(file: string): void {
  const rnd = prng(5);
  const records: PcapRecord[] = [];
  const ports = [3306, 5432, 6379, 11211, 40000, 40001, 53];
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  for (let k = 0; records.length < 2 * CHUNK + 777; k++) {
    const r = rnd();
    const payload = 'x'.repeat(Math.floor(rnd() * 300));
    let data: Uint8Array;
    if (r < 0.8) {
      data = ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp({ sport: pick(ports), dport: pick(ports), seq: k * 1000, ack: 1, flags: Math.floor(rnd() * 0x40), payload })));
    } else if (r < 0.95) {
      data = ether(0x0800, ipv4('10.0.0.3', '10.0.0.4', 17, udp(pick(ports), pick(ports), payload)));
    } else {
      data = ether(0x0806, new Uint8Array(28));
    }
    records.push({ data, sec: 1_700_000_000 + k, usec: 0 });
  }
  writePcap(file, 1, records);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dbwire-colfast-'));
  const file = join(dir, 'mixed.pcap');
  mixedCapture(file);
  session = await CaptureSession.open(file, { workers: 0 });
  await session.done;
}, 120_000);

afterAll(() => {
  session.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('column filters on whole chunks', () => {
  const filters = [
    'tcp.port == 5432', 'tcp.port != 5432', 'tcp.port === 5432', 'tcp.port !== 5432', 'udp.port == 53', 'tcp.srcport >= 40000',
    'tcp.dstport < 5000', 'tcp.dstport <= 3306', 'tcp.srcport > 6379', 'tcp.port in {3306, 6379..11211}', 'tcp.port not in {53, 3306}',
    'tcp.flags.syn == 1 && tcp.flags.ack == 0', 'tcp.flags.fin == 1 || tcp.flags.reset == 1', '!(tcp.flags == 0x18)', 'tcp.stream',
    'udp.stream == 0', 'frame.len > 200 and not udp', 'frame.number <= 70000 && frame.number > 65000', 'frame.cap_len == 54',
    'frame.interface_id == 0', 'tcp', 'udp or tcp.flags.push == 1', 'tcp.srcport', '!tcp.port', 'mysql', 'tcp.stream in {0..2}',
    'tcp.analysis.lost_segment', '!tcp.analysis.duplicate_ack && tcp', 'tcp.analysis.window_update || tcp.analysis.keep_alive',
    'tcp.analysis.ack_lost_segment and tcp.port == 53',
  ];

  it('select what the filter selects on the per-frame column view', async () => {
    const st = session.store;
    expect(st.count).toBeGreaterThan(2 * CHUNK);
    const selected = new Map<string, number>();
    for (const f of filters) {
      const c = compileFilter(f);
      if (!c.ok) throw new Error(`${f}: ${c.error.message}`);
      const view = new ColumnTree(st);
      const want: number[] = [];
      for (let i = 0; i < st.count; i++) {
        if (!(st.kind.get(i) & KIND_SIMPLE)) continue;
        view.i = i;
        if (c.filter.match(view)) want.push(i + 1);
      }
      const r = await session.setFilter(f);
      expect(r.ok, f).toBe(true);
      const got = session.rows(0, st.count).map((x) => x.num).filter((n) => st.kind.get(n - 1) & KIND_SIMPLE);
      expect(got, f).toEqual(want);
      expect(want.length, `${f} does not select every frame`).toBeLessThan(st.count);
      selected.set(f, want.length);
    }
  });
});
