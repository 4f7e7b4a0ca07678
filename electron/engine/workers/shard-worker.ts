/**
 * Worker thread entry: runs one shard of the first pass and posts its batches (buffers
 * transferred, thousands of frames per message) and finally its result.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { batchTransfer } from '../store/batch';
import { RecycledBuffers } from '../store/batch-buffers';
import { TransactionTable } from '../analysis/transaction-table';
import { runShardPass } from '../store/shard-pass';
import type { WorkerMessage } from './messages';
import type { ShardWorkerData } from './pool';
import { BATCH_WINDOW, BatchWindow } from './batch-window';

const port = parentPort!;
const { opts, recycled, merged } = workerData as ShardWorkerData;
const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
// The pass does not yield to the event loop: the buffers handed back are read synchronously. It
// keeps what its batches in flight and the one filling can hold (columns and Info text each).
const buffers = new RecycledBuffers((give) => {
  for (let m = receiveMessageOnPort(recycled); m; m = receiveMessageOnPort(recycled)) for (const b of m.message as ArrayBuffer[]) give(b);
}, 2 * (BATCH_WINDOW + 1));

// A worker that is BATCH_WINDOW batches ahead of the merge waits before filling the next one.
const batchWindow = new BatchWindow(merged);

runShardPass(
  opts, (batch) => { post({ type: 'batch', batch }, batchTransfer(batch)); batchWindow.sentOne(); }, async () => batchWindow.wait(),
  (part) => post({ type: 'transactions', part }, [part.array.buffer as ArrayBuffer]),
  buffers,
)
  .then((result) => post({ type: 'done', result }, TransactionTable.transfer(result.transactions)))
  .catch((e: unknown) => post({ type: 'failed', message: e instanceof Error ? e.message : String(e) }));
