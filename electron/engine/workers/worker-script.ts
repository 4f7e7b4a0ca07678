/**
 * Which script a pass worker runs. Preferred: the worker entry bundled once by esbuild (the
 * transpiler tsx itself uses) into a cached plain-JS file — tsx's on-the-fly transform keeps
 * function names by wrapping every closure, which costs about a third of the hot loop, and its
 * loader hooks slow each worker's start. The bundle is rebuilt when any input file changes.
 * Fallback: a bootstrap that registers tsx in the worker and imports the TypeScript entry.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ENTRY = fileURLToPath(new URL('./shard-worker.ts', import.meta.url));
const BOOTSTRAP = new URL('./shard-worker.mjs', import.meta.url);
// One cache per checkout: two trees on one machine would otherwise overwrite each other's bundle
// while the other's workers start from it.
const CACHE_DIR = join(tmpdir(), `dbwire-worker-${process.getuid?.() ?? 'u'}-${createHash('sha256').update(ENTRY).digest('hex').slice(0, 12)}`);

interface Manifest {
  readonly entry: string;
  readonly inputs: Record<string, number>;
}

let cached: Promise<URL> | null = null;

export function workerScript(): Promise<URL> {
  cached ??= bundle().catch(() => BOOTSTRAP);
  return cached;
}

async function bundle(): Promise<URL> {
  const out = join(CACHE_DIR, 'shard-worker.mjs');
  const manifestFile = join(CACHE_DIR, 'manifest.json');
  if (existsSync(out) && existsSync(manifestFile) && upToDate(JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest)) {
    return pathToFileURL(out);
  }
  const esbuild = await import('esbuild');
  const r = await esbuild.build({
    entryPoints: [ENTRY], bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false, metafile: true,
    external: ['esbuild', 'tsx', 'cap'], logLevel: 'silent',
  });
  mkdirSync(CACHE_DIR, { recursive: true });
  const inputs: Record<string, number> = {};
  for (const f of Object.keys(r.metafile.inputs)) inputs[join(process.cwd(), f)] = statSync(join(process.cwd(), f)).mtimeMs;
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, r.outputFiles[0]!.contents);
  renameSync(tmp, out);
  writeFileSync(manifestFile, JSON.stringify({ entry: ENTRY, inputs } satisfies Manifest));
  return pathToFileURL(out);
}

function upToDate(m: Manifest): boolean {
  if (m.entry !== ENTRY) return false;
  for (const [f, mtime] of Object.entries(m.inputs)) {
    try { if (statSync(f).mtimeMs !== mtime) return false; } catch { return false; }
  }
  return true;
}
