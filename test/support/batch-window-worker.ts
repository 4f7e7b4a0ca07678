/**
 * A thread playing a pass worker against a BatchWindow (batch-window.test.ts): it has sent
 * `sent` batches, says so, waits until fewer than `window` are unmerged, and says it went on.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BatchWindow } from '../../electron/engine/workers/batch-window';

const { merged, sent, window } = workerData as { merged: SharedArrayBuffer; sent: number; window: number };
const w = new BatchWindow(merged, window);
for (let i = 0; i < sent; i++) w.sentOne();
parentPort!.postMessage('waiting');
w.wait();
parentPort!.postMessage('went on');
