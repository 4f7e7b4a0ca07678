/**
 * One measured run of the session engine on a file, in its own process (so peak RSS is ours
 * alone): first page, full pass, a column and a deep filter, export. Prints one JSON line.
 */
import { join } from 'node:path';
import { CaptureSession } from '../engine/store/capture-session';
import { encodeRows } from '../../shared/api/rows';
import { workerScript } from '../engine/workers/worker-script';

export interface ProbeResult {
  readonly frames: number;
  readonly firstPageMs: number;
  readonly passMs: number;
  readonly passCpuMs: number;
  readonly transactions: number;
  readonly columnFilterMs: number;
  readonly columnFilterRows: number;
  readonly deepFilterMs: number;
  readonly deepFilterRows: number;
  readonly exportMs: number;
  readonly exportFrames: number;
  readonly packetMs: number;
  readonly columnBytesPerPacket: number;
  readonly spilledBytesPerPacket: number;
  readonly rssBytesPerPacket: number;
  readonly peakRssBytes: number;
}

export const COLUMN_FILTER = 'tcp.port == 5432';
export const DEEP_FILTER = 'pgsql.query contains "SELECT"';

export async function probe(file: string, outDir: string): Promise<ProbeResult> {
  // The worker bundle is built once per change of the sources (an installed app has it already):
  // build it before the clock starts, so the first page measures opening a file, not a rebuild.
  await workerScript();
  const rss0 = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let firstPageMs = -1;
  let session: CaptureSession | null = null;
  const s = await CaptureSession.open(file, {
    onProgress: (p) => {
      if (firstPageMs < 0 && p.frames >= 100 && session) {
        encodeRows(session.rows(0, 100));
        firstPageMs = performance.now() - t0;
      }
    },
  });
  session = s;
  await s.done;
  const passMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (firstPageMs < 0) { encodeRows(s.rows(0, 100)); firstPageMs = passMs; }
  const transactions = await s.transactionCount();
  const frames = s.store.count;
  const rssBytesPerPacket = (process.memoryUsage().rss - rss0) / frames;
  let t = performance.now();
  const col = await s.setFilter(COLUMN_FILTER);
  const columnFilterMs = performance.now() - t;
  t = performance.now();
  const deep = await s.setFilter(DEEP_FILTER);
  const deepFilterMs = performance.now() - t;
  await s.setFilter(COLUMN_FILTER);
  t = performance.now();
  const exportFrames = await s.export(await s.exportFrames({ kind: 'displayed' }), 'pcapng', join(outDir, 'bench-export.pcapng'));
  const exportMs = performance.now() - t;
  t = performance.now();
  s.packet(Math.floor(frames * 0.9));
  const packetMs = performance.now() - t;
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  s.close();
  return {
    frames, firstPageMs, passMs, passCpuMs: (cpu.user + cpu.system) / 1000, transactions,
    columnFilterMs, columnFilterRows: col.ok ? col.displayed : -1, deepFilterMs, deepFilterRows: deep.ok ? deep.displayed : -1,
    exportMs, exportFrames, packetMs, columnBytesPerPacket: s.store.bytes / frames,
    spilledBytesPerPacket: s.store.spilledBytes / frames, rssBytesPerPacket, peakRssBytes,
  };
}
