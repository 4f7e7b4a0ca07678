/**
 * Which script a pass worker runs. Preferred: the worker entry bundled once by esbuild into a
 * cached plain-JS file (bundle-cache.mjs) — tsx's on-the-fly transform keeps function names by
 * wrapping every closure, which costs about a third of the hot loop, and its loader hooks slow each
 * worker's start. Fallback: a bootstrap that registers tsx in the worker and imports the TypeScript entry.
 */
import { fileURLToPath } from 'node:url';
import { bundledEntry } from '../../cli/bundle-cache.mjs';

const ENTRY = fileURLToPath(new URL('./shard-worker.ts', import.meta.url));
const BOOTSTRAP = new URL('./shard-worker.mjs', import.meta.url);

let cached: Promise<URL> | null = null;

export function workerScript(): Promise<URL> {
  cached ??= bundledEntry(ENTRY).catch(() => BOOTSTRAP);
  return cached;
}
