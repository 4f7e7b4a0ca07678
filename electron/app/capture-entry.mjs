// Entry point of the capture utility process (started by the main process for the engine: the
// packaged app cannot fork plain Node processes). Runs electron/capture/capture-process.ts from
// source through tsx, as engine-entry.mjs runs the engine; the capture configuration (JSON) is
// the argument that starts with "{".
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// As in engine-entry.mjs: tsx's esbuild binary is unpacked beside the asar.
if (!process.env.ESBUILD_BINARY_PATH && import.meta.url.includes('/app.asar/')) {
  const require = createRequire(import.meta.url);
  const pkg = `@esbuild/${process.platform}-${process.arch}`;
  try {
    const dir = require.resolve(`${pkg}/package.json`).replace(/package\.json$/, '');
    const bin = (process.platform === 'win32' ? `${dir}esbuild.exe` : `${dir}bin/esbuild`).replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
    if (existsSync(bin)) process.env.ESBUILD_BINARY_PATH = bin;
  } catch { /* esbuild reports what it cannot find */ }
}

const config = process.argv.find((a) => a.startsWith('{')) ?? '{}';
const entry = new URL('../capture/capture-process.ts', import.meta.url);
process.argv = [process.argv[0], fileURLToPath(entry), config];
const { register } = await import('tsx/esm/api');
register();
await import(entry.href);
