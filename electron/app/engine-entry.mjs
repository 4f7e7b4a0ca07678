// Entry point of the engine utility process. The engine runs from its TypeScript sources through
// tsx, exactly as the CLI does, so its worker and capture-process entry points resolve the same
// way in the app as in `dbwire` and the tests.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

// In a packaged app tsx's esbuild binary is unpacked beside the asar (asarUnpack): a binary
// cannot be executed from inside the archive.
if (!process.env.ESBUILD_BINARY_PATH && import.meta.url.includes('/app.asar/')) {
  const require = createRequire(import.meta.url);
  const pkg = `@esbuild/${process.platform}-${process.arch}`;
  try {
    const dir = require.resolve(`${pkg}/package.json`).replace(/package\.json$/, '');
    const bin = (process.platform === 'win32' ? `${dir}esbuild.exe` : `${dir}bin/esbuild`).replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
    if (existsSync(bin)) process.env.ESBUILD_BINARY_PATH = bin;
  } catch { /* esbuild reports what it cannot find */ }
}

const { register } = await import('tsx/esm/api');
register();
await import('./engine-process.ts');
