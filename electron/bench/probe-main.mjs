// Child-process entry of the benchmark: `node electron/bench/probe-main.mjs FILE OUTDIR`. Runs the
// probe from its esbuild bundle, as `dbwire` runs (tsx alone would add ~45 MB to the peak RSS).
import { fileURLToPath } from 'node:url';
import { bundledEntry } from '../cli/bundle-cache.mjs';

await import((await bundledEntry(fileURLToPath(new URL('./probe-main.ts', import.meta.url)))).href);
