// Worker thread bootstrap: registers tsx's loader in this thread, then runs the TypeScript entry
// (worker threads do not inherit the parent's loader hooks).
import { register } from 'tsx/esm/api';

register();
await import('./shard-worker.ts');
