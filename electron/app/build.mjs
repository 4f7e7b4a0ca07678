#!/usr/bin/env node
// Builds what Electron loads directly: the main process (one ESM file) and the sandboxed preload
// (one CommonJS file: a sandboxed preload cannot import modules). The engine utility process runs
// from the TypeScript sources through tsx (engine-entry.mjs), like the CLI. The renderer is built
// by vite (renderer/vite.config.ts) into out/renderer.
//   node electron/app/build.mjs [OUTDIR]      (default out/app)
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

const here = fileURLToPath(new URL('.', import.meta.url));
const outDir = resolve(process.argv[2] ?? fileURLToPath(new URL('../../out/app', import.meta.url)));

const common = { bundle: true, sourcemap: true, target: 'es2022', external: ['electron'], logLevel: 'warning', legalComments: 'none' };

await Promise.all([
  build({
    ...common,
    entryPoints: [resolve(here, 'main.ts')],
    outfile: resolve(outDir, 'main.mjs'),
    platform: 'node',
    format: 'esm',
    // Bundled ESM has no require(); a few Node builtins are loaded through it by dependencies.
    banner: { js: "import { createRequire as __dbwireCreateRequire } from 'node:module'; const require = __dbwireCreateRequire(import.meta.url);" },
  }),
  build({
    ...common,
    entryPoints: [resolve(here, 'preload.ts')],
    outfile: resolve(outDir, 'preload.cjs'),
    platform: 'browser',
    format: 'cjs',
  }),
]);
process.stdout.write(`built ${outDir}/main.mjs and ${outDir}/preload.cjs\n`);
