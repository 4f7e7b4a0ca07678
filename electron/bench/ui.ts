/**
 * The UI half of `npm run bench`: the real renderer, served by `dbwire serve` with the real
 * engine, in headless Debian Chromium (playwright-core; no downloaded browser).
 *  - open → first rows: from clicking Open on the start view to the first row painted;
 *  - scroll smoothness: frame times (requestAnimationFrame intervals) while the packet list of
 *    the whole capture (a million rows) is scrolled steadily and then in large jumps.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../test/support/chromium';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface UiBenchResult {
  readonly rows: number;
  /** Click on Open → first row painted. */
  readonly openToFirstRowsMs: number;
  /** Click on Open → the whole capture indexed (status bar count final). */
  readonly openToIndexedMs: number;
  readonly steadyScroll: FrameStats;
  readonly jumpScroll: FrameStats;
}

export interface FrameStats {
  readonly frames: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  /** Share of frames whose visible rows were still loading ("…" rows). */
  readonly blankFrames: number;
}

const log = (s: string) => process.stderr.write(`[bench:ui] ${s}\n`);

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`${cmd} failed (${c}): ${err}`))));
  });
}

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function stats(intervals: number[], blank: number): FrameStats {
  const s = [...intervals].sort((a, b) => a - b);
  return { frames: s.length, p50Ms: pct(s, 50), p95Ms: pct(s, 95), maxMs: s[s.length - 1] ?? NaN, blankFrames: s.length ? blank / s.length : 0 };
}

/**
 * Runs in the page: scrolls the packet list every animation frame and records frame intervals.
 * A string, so the bundler's helpers (tsx keeps function names) never leak into the page.
 */
const SCROLL_PROBE = `(mode, duration) => new Promise((resolve) => {
  const sc = document.querySelector('[data-testid="packet-scroller"]');
  const intervals = [];
  let blank = 0, step = 0, last = performance.now();
  const end = last + duration;
  const frame = (now) => {
    intervals.push(now - last);
    last = now;
    if (sc.querySelector('.loading')) blank++;
    step++;
    if (mode === 'steady') sc.scrollTop += 240;
    else sc.scrollTop = ((step * 7919) % 1000) / 1000 * (sc.scrollHeight - sc.clientHeight);
    if (now < end) requestAnimationFrame(frame);
    else resolve({ intervals: intervals.slice(1), blank });
  };
  requestAnimationFrame(frame);
})`;

/** Measures the UI on `file` (the bench capture). */
export async function benchUi(file: string): Promise<UiBenchResult> {
  if (!existsSync(join(ROOT, 'out/renderer/index.html'))) {
    log('building the renderer');
    await run(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'error']);
  }
  const serve = spawn(process.execPath, [join(ROOT, 'electron/cli/dbwire.mjs'), 'serve'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const profile = mkdtempSync(join(tmpdir(), 'dbwire-bench-chromium-'));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      serve.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^(http:\/\/\S+)\n/.exec(out);
        if (m) resolve(m[1]!);
      });
      serve.on('exit', (c) => reject(new Error(`dbwire serve exited (${c})`)));
    });
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS], viewport: { width: 1400, height: 900 },
    });
    try {
      const page = context.pages()[0] ?? await context.newPage();
      await page.goto(url);
      await page.getByLabel(/^File path/).fill(resolve(file));
      const firstRow = page.locator('[role="row"][aria-rowindex="2"] [role="gridcell"]').first();
      const t0 = Date.now();
      await page.getByRole('button', { name: 'Open', exact: true }).click();
      await firstRow.waitFor({ state: 'visible', timeout: Number(process.env.BENCH_UI_TIMEOUT ?? 600_000) }).catch(async (e: unknown) => { await page.screenshot({ path: join(ROOT, 'test-output', 'bench-ui-failure.png') }); throw e; });
      const openToFirstRowsMs = Date.now() - t0;
      log(`first rows after ${openToFirstRowsMs} ms; waiting for the pass to finish`);
      // Indexed: no progress bar left (the pass is done) and the count has settled.
      await page.waitForFunction(() => !document.querySelector('progress') && /Packets: [\d,]+/.test(document.body.textContent ?? ''), undefined, { timeout: 1_800_000, polling: 250 });
      const openToIndexedMs = Date.now() - t0;
      const rows = Number((await page.getByTestId('status-displayed').textContent())!.replace(/^\D*([\d,]+).*$/, '$1').replace(/,/g, ''));
      log(`${rows} rows indexed after ${openToIndexedMs} ms; scrolling`);

      // Frame times while scrolling: steady (a wheel-like 240 px per frame) then big jumps.
      const measure = (mode: 'steady' | 'jump', durationMs: number) =>
        page.evaluate(`(${SCROLL_PROBE})(${JSON.stringify(mode)}, ${durationMs})`) as Promise<{ intervals: number[]; blank: number }>;
      const steady = await measure('steady', 5000);
      const jump = await measure('jump', 5000);
      return { rows, openToFirstRowsMs, openToIndexedMs, steadyScroll: stats(steady.intervals, steady.blank), jumpScroll: stats(jump.intervals, jump.blank) };
    } finally {
      await context.close();
    }
  } finally {
    serve.kill('SIGTERM');
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Markdown rows for the bench report. */
export function uiBenchMarkdown(r: UiBenchResult): string {
  const f = (s: FrameStats) => `p50 ${s.p50Ms.toFixed(1)} ms, p95 ${s.p95Ms.toFixed(1)} ms, max ${s.maxMs.toFixed(1)} ms over ${s.frames} frames; ${(s.blankFrames * 100).toFixed(0)}% frames with rows still loading`;
  return [
    `UI (headless Chromium, ${r.rows} rows in the packet list):`,
    '',
    '| Measure | dbwire UI |',
    '|---|---|',
    `| Open → first rows painted (s) | ${(r.openToFirstRowsMs / 1000).toFixed(2)} |`,
    `| Open → capture indexed (s) | ${(r.openToIndexedMs / 1000).toFixed(2)} |`,
    `| Frame time, steady scroll | ${f(r.steadyScroll)} |`,
    `| Frame time, jump scroll | ${f(r.jumpScroll)} |`,
    '',
  ].join('\n');
}

// `npx tsx electron/bench/ui.ts FILE` runs it alone.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const f = process.argv[2];
  if (!f) { process.stderr.write('usage: tsx electron/bench/ui.ts CAPTURE\n'); process.exit(2); }
  benchUi(f).then((r) => { process.stdout.write(uiBenchMarkdown(r)); }, (e: unknown) => { process.stderr.write(`${String(e)}\n`); process.exit(1); });
}
