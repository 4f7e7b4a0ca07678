// In a packaged app tsx's esbuild binary is unpacked beside the asar (asarUnpack): a binary cannot
// be executed from inside the archive, so point esbuild at the unpacked copy. Shared by the
// utility-process entry points (engine, capture), which run TypeScript through tsx.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

export function useUnpackedEsbuild(entryUrl) {
  if (process.env.ESBUILD_BINARY_PATH || !entryUrl.includes('/app.asar/')) return;
  const require = createRequire(entryUrl);
  const pkg = `@esbuild/${process.platform}-${process.arch}`;
  try {
    const dir = require.resolve(`${pkg}/package.json`).replace(/package\.json$/, '');
    const bin = (process.platform === 'win32' ? `${dir}esbuild.exe` : `${dir}bin/esbuild`).replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
    if (existsSync(bin)) process.env.ESBUILD_BINARY_PATH = bin;
  } catch { /* esbuild reports what it cannot find */ }
}
