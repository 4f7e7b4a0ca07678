// Entry point of the capture utility process (started by the main process for the engine: the
// packaged app cannot fork plain Node processes). Runs electron/capture/capture-process.ts from
// source through tsx, as engine-entry.mjs runs the engine; the capture configuration (JSON) is
// the argument that starts with "{".
import { fileURLToPath } from 'node:url';
import { useUnpackedEsbuild } from './unpacked-esbuild.mjs';

useUnpackedEsbuild(import.meta.url);
const config = process.argv.find((a) => a.startsWith('{')) ?? '{}';
const entry = new URL('../capture/capture-process.ts', import.meta.url);
process.argv = [process.argv[0], fileURLToPath(entry), config];
const { register } = await import('tsx/esm/api');
register();
await import(entry.href);
