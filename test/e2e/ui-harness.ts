// Drives the real UI for e2e tests: `dbwire serve` (the real engine) + Debian's Chromium through
// playwright-core. Screenshots go to test-output/screenshots/ (git-ignored).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium';
import { repoRoot, testOutputPath } from '../support/paths';

export interface Served {
  readonly url: string;
  readonly proc: ChildProcess;
  stop(): Promise<void>;
}

/** The renderer is built once per run (vite build) unless out/renderer is already there and fresh enough. */
let built: Promise<void> | null = null;
export function buildRenderer(): Promise<void> {
  built ??= new Promise((resolve, reject) => {
    if (process.env.DBWIRE_SKIP_RENDERER_BUILD === '1' && existsSync(join(repoRoot, 'out/renderer/index.html'))) { resolve(); return; }
    const p = spawn(process.execPath, [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'error'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build failed (${code}): ${err}`))));
  });
  return built;
}

/** Starts `dbwire serve [FILE]` and waits for the URL it prints first. */
export async function serve(file?: string, extraArgs: string[] = []): Promise<Served> {
  await buildRenderer();
  const proc = spawn(process.execPath, [join(repoRoot, 'electron/cli/dbwire.mjs'), 'serve', ...extraArgs, ...(file ? [file] : [])], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dbwire serve printed no URL in 60 s; stderr: ${err}`)), 60_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^(http:\/\/\S+)\n/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]!); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`dbwire serve exited with ${code}: ${err}`)); });
  });
  return {
    url, proc,
    stop: () => new Promise<void>((resolve) => {
      if (proc.exitCode !== null) { resolve(); return; }
      const kill = setTimeout(() => proc.kill('SIGKILL'), 5000);
      proc.once('exit', () => { clearTimeout(kill); resolve(); });
      proc.kill('SIGTERM');
    }),
  };
}

export interface Ui {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Page errors and console errors seen (a test asserts there are none, e.g. no alert()). */
  readonly errors: string[];
  readonly dialogs: string[];
  close(): Promise<void>;
}

export async function openUi(url: string, opts: { colorScheme?: 'light' | 'dark'; width?: number; height?: number } = {}): Promise<Ui> {
  // A fresh profile per browser (playwright passes it as --user-data-dir).
  const profile = mkdtempSync(join(tmpdir(), 'dbwire-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS],
    viewport: { width: opts.width ?? 1400, height: opts.height ?? 900 }, colorScheme: opts.colorScheme ?? 'light',
  });
  const page = context.pages()[0] ?? await context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('dialog', (d) => { dialogs.push(`${d.type()}: ${d.message()}`); void d.dismiss(); });
  await page.goto(url);
  return { context, page, errors, dialogs, close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); } };
}

/** `dbwire serve [FILE]` and a browser on it; close() ends both. */
export async function serveUi(file?: string): Promise<Ui> {
  const server = await serve(file);
  try {
    const ui = await openUi(server.url);
    return { ...ui, close: async () => { await ui.close(); await server.stop(); } };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = testOutputPath('screenshots');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** The "Displayed: N" count in the status bar. */
export async function displayedCount(page: Page): Promise<number> {
  const t = await page.getByTestId('status-displayed').textContent();
  const m = /Displayed:\s*([\d,]+)/.exec(t ?? '');
  if (!m) throw new Error(`no displayed count in "${t}"`);
  return Number(m[1]!.replace(/,/g, ''));
}
