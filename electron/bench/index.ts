/**
 * `npm run bench` (`dbwire bench [--quick]`): the session engine beside tshark on the same
 * capture of real pgbench + mysqlslap traffic (built once into .bench-cache/). Each side runs in
 * its own process so peak RSS is its own; wall time and CPU time are both reported, since other
 * work on the machine stretches wall time. Prints a table and writes .bench-cache/last-bench.md.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBenchCapture, countPcapRecords } from './make-capture';
import { COLUMN_FILTER, DEEP_FILTER, type ProbeResult } from './probe';
import { ENGINE_PROCESS_ARGS, ENGINE_PROCESS_ENV } from '../engine/process-env';
import { workerScript } from '../engine/workers/worker-script';
import { bundledEntry } from '../cli/bundle-cache.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CACHE = join(ROOT, '.bench-cache');

interface Timed {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakRss: number;
  readonly stdout: string;
}

/**
 * Reads the whole file once, so that a measured run finds it in the page cache, whoever runs first
 * (hyperfine's warm-up does this). Why before every run: a virtual machine may evict cold pages
 * within seconds (on ours DAMON does), and a cold read of the bench capture costs ~0.5 s of system
 * CPU — noise of 2% on tshark's run, of 10–15% on ours — and it made the comparison depend on
 * which tool ran first.
 */
function readIntoPageCache(file: string): void {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
    while (readSync(fd, buf, 0, buf.length, null) > 0) { /* only the reading matters */ }
  } finally {
    closeSync(fd);
  }
}

/**
 * Runs a command under /usr/bin/time for its peak RSS and CPU time; `env` is added to ours. `file`:
 * the capture it reads, put in the page cache first (not timed).
 */
function timed(cmd: string, args: readonly string[], file: string, env: Readonly<Record<string, string>> = {}): Promise<Timed> {
  readIntoPageCache(file);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'TIME %M %U %S', cmd, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '', err = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      const m = /TIME (\d+) ([\d.]+) ([\d.]+)/.exec(err);
      if (code !== 0 || !m) { reject(new Error(`${cmd} ${args.join(' ')} failed (${code}):\n${err.slice(-2000)}`)); return; }
      resolve({ wallMs, cpuMs: (Number(m[2]) + Number(m[3])) * 1000, peakRss: Number(m[1]) * 1024, stdout: out });
    });
  });
}

const lines = (s: string) => s.split('\n').filter((l) => l.length > 0).length;
const sec = (ms: number) => (ms / 1000).toFixed(2);
const mb = (b: number) => (b / 1e6).toFixed(0);
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(3) : '-');

const SECTIONS = ['engine', 'ui', 'capture'] as const;
type Section = (typeof SECTIONS)[number];

/** `--only engine,ui,capture` picks sections; all run by default. */
function sections(argv: readonly string[]): Set<Section> {
  const i = argv.indexOf('--only');
  if (i < 0) return new Set(SECTIONS);
  const want = (argv[i + 1] ?? '').split(',');
  const bad = want.filter((w) => !(SECTIONS as readonly string[]).includes(w));
  if (bad.length) throw new Error(`unknown bench section(s) ${bad.join(', ')}: use ${SECTIONS.join(', ')}`);
  return new Set(want as Section[]);
}

export async function runBench(argv: string[]): Promise<number> {
  const quick = argv.includes('--quick');
  const only = sections(argv);
  mkdirSync(CACHE, { recursive: true });
  const file = join(CACHE, quick ? 'bench-quick.pcap' : 'bench-1m.pcap');
  const want = quick ? 100_000 : 1_000_000;
  if (!existsSync(file) || countPcapRecords(file, { offset: 24, packets: 0 }).packets < want) {
    process.stderr.write(`[bench] building ${file} (once; needs PostgreSQL, MariaDB, pgbench, mysqlslap, tcpdump)\n`);
    await makeBenchCapture(file, Math.ceil(want * 1.05));
  }
  const parts: string[] = [`# dbwire bench — ${new Date().toISOString()}`, ''];
  if (only.has('engine')) parts.push(await engineBench(file));
  if (only.has('ui')) {
    process.stderr.write('[bench] UI in headless Chromium\n');
    const { benchUi, uiBenchMarkdown } = await import('./ui');
    parts.push(uiBenchMarkdown(await benchUi(file)));
  }
  if (only.has('capture')) {
    process.stderr.write('[bench] live capture at 20k and 100k packets/s per backend\n');
    const { runCaptureBench, formatResult } = await import('../capture/bench');
    const results = await runCaptureBench();
    parts.push('## Live capture (10 s on loopback per rate and backend, 64 MiB buffer)', '', ...results.map(formatResult), '');
  }
  const md = parts.join('\n');
  process.stdout.write(md + '\n');
  writeFileSync(join(CACHE, 'last-bench.md'), md + '\n');
  return 0;
}

async function engineBench(file: string): Promise<string> {
  const size = statSync(file).size;
  const outDir = join(CACHE, 'out');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);

  log('dbwire session engine');
  // The probe's and the workers' bundles are built here, before any measured process starts (an
  // installed app ships them built): built inside the probe, esbuild's memory was in its peak RSS.
  await bundledEntry(join(ROOT, 'electron/bench/probe-main.ts'));
  await workerScript();
  const node = process.execPath;
  // The probe runs as the app's engine process does (see process-env.ts).
  const ours = await timed(node, [...ENGINE_PROCESS_ARGS, join(ROOT, 'electron/bench/probe-main.mjs'), file, outDir], file, ENGINE_PROCESS_ENV);
  const p = JSON.parse(ours.stdout.trim().split('\n').pop()!) as ProbeResult;
  log('tshark single pass');
  const tsPass = await timed('tshark', ['-n', '-r', file, '-T', 'fields', '-e', 'frame.number'], file);
  log('tshark column filter');
  const tsCol = await timed('tshark', ['-n', '-r', file, '-Y', COLUMN_FILTER, '-T', 'fields', '-e', 'frame.number'], file);
  log('tshark deep filter');
  const tsDeep = await timed('tshark', ['-n', '-r', file, '-Y', DEEP_FILTER, '-T', 'fields', '-e', 'frame.number'], file);
  log('tshark export');
  const tsExport = await timed('tshark', ['-n', '-r', file, '-Y', COLUMN_FILTER, '-w', join(outDir, 'tshark-export.pcapng')], file);
  log('dbwire read -Y (the CLI, one sequential pass with full trees)');
  const cli = join(ROOT, 'electron/cli/dbwire.mjs');
  const ourCol = await timed(node, [cli, 'read', '-r', file, '-Y', COLUMN_FILTER, '-T', 'fields', '-e', 'frame.number'], file);
  const ourDeep = await timed(node, [cli, 'read', '-r', file, '-Y', DEEP_FILTER, '-T', 'fields', '-e', 'frame.number'], file);
  log('dbwire queries / tshark -e mysql.query, pgsql.query');
  const ourQueries = await timed(node, [join(ROOT, 'electron/cli/dbwire.mjs'), 'queries', file, '--json'], file);
  const tsMy = await timed('tshark', ['-n', '-r', file, '-Y', 'mysql.query', '-T', 'fields', '-e', 'mysql.query'], file);
  const tsPg = await timed('tshark', ['-n', '-r', file, '-Y', 'pgsql.query', '-T', 'fields', '-e', 'pgsql.query'], file);

  const perMillion = (ms: number) => ms / (p.frames / 1e6);
  const rows: string[][] = [
    ['Frames', String(p.frames), String(lines(tsPass.stdout)), ''],
    ['File', `${mb(size)} MB`, '', ''],
    ['First page of rows (s)', sec(p.firstPageMs), sec(tsPass.wallMs) + ' (tshark shows nothing before its pass ends)', ratio(p.firstPageMs, tsPass.wallMs)],
    ['Full pass, wall (s)', sec(p.passMs), sec(tsPass.wallMs), ratio(p.passMs, tsPass.wallMs)],
    ['Full pass, CPU (s)', sec(p.passCpuMs), sec(tsPass.cpuMs), ratio(p.passCpuMs, tsPass.cpuMs)],
    [`Column filter \`${COLUMN_FILTER}\` (s)`, `${sec(p.columnFilterMs)} (${perMillion(p.columnFilterMs).toFixed(0)} ms/M pkts, ${p.columnFilterRows} rows)`,
      `${sec(tsCol.wallMs)} (${lines(tsCol.stdout)} rows)`, ratio(p.columnFilterMs, tsCol.wallMs)],
    [`Deep filter \`${DEEP_FILTER}\` (s)`, `${sec(p.deepFilterMs)} (${p.deepFilterRows} rows)`, `${sec(tsDeep.wallMs)} (${lines(tsDeep.stdout)} rows)`,
      ratio(p.deepFilterMs, tsDeep.wallMs)],
    [`\`dbwire read -Y '${COLUMN_FILTER}'\` (s, peak MB)`, `${sec(ourCol.wallMs)}, ${mb(ourCol.peakRss)} MB (${lines(ourCol.stdout)} rows)`,
      `${sec(tsCol.wallMs)}, ${mb(tsCol.peakRss)} MB`, ratio(ourCol.wallMs, tsCol.wallMs)],
    [`\`dbwire read -Y '${DEEP_FILTER}'\` (s, peak MB)`, `${sec(ourDeep.wallMs)}, ${mb(ourDeep.peakRss)} MB (${lines(ourDeep.stdout)} rows)`,
      `${sec(tsDeep.wallMs)}, ${mb(tsDeep.peakRss)} MB`, ratio(ourDeep.wallMs, tsDeep.wallMs)],
    ['Export column-filter rows to pcapng (s)', `${sec(p.exportMs)} (${p.exportFrames} frames)`, sec(tsExport.wallMs), ratio(p.exportMs, tsExport.wallMs)],
    ['Random access packet(n) (ms)', p.packetMs.toFixed(1), '', ''],
    ['Peak RSS (MB)', mb(ours.peakRss), mb(tsPass.peakRss), ratio(ours.peakRss, tsPass.peakRss)],
    ['Bytes per packet (columns in memory / spilled to disk / RSS growth)',
      `${p.columnBytesPerPacket.toFixed(0)} / ${p.spilledBytesPerPacket.toFixed(0)} / ${p.rssBytesPerPacket.toFixed(0)}`,
      (tsPass.peakRss / p.frames).toFixed(0) + ' (peak RSS / packets)', ''],
    ['`dbwire queries` vs tshark -e mysql.query + -e pgsql.query, wall (s)', `${sec(ourQueries.wallMs)} (${p.transactions} transactions)`,
      `${sec(tsMy.wallMs + tsPg.wallMs)} (${lines(tsMy.stdout) + lines(tsPg.stdout)} query frames)`, ratio(ourQueries.wallMs, tsMy.wallMs + tsPg.wallMs)],
  ];
  return [
    '## Session engine',
    '',
    `${p.frames} packets of pgbench + mysqlslap traffic (${file}), ${(await import('node:os')).availableParallelism()} cores.`,
    'Every run, ours and tshark\'s, starts with the capture in the page cache (read once just before it, untimed).',
    '',
    '| Measure | dbwire | tshark 4.0 | ratio |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    'Targets (issue 7): full pass ≤ 0.1× tshark, peak memory ≤ 0.15× tshark, first page < 0.2 s, column filter < 50 ms per million packets.',
    '',
  ].join('\n');
}
