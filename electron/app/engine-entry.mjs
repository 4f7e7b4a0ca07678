// Entry point of the engine utility process. The engine runs from its TypeScript sources through
// tsx, exactly as the CLI does, so its worker and capture-process entry points resolve the same
// way in the app as in `dbwire` and the tests.
import { useUnpackedEsbuild } from './unpacked-esbuild.mjs';

useUnpackedEsbuild(import.meta.url);
const { register } = await import('tsx/esm/api');
register();
await import('./engine-process.ts');
