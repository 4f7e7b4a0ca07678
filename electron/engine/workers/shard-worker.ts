/**
 * Worker thread entry: runs one shard of the first pass and posts its batches (buffers
 * transferred, thousands of frames per message) and finally its result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { batchTransfer } from '../store/batch';
import { TransactionTable } from '../analysis/transaction-table';
import { runShardPass, type ShardPassOptions } from '../store/shard-pass';
import type { WorkerMessage } from './messages';

const port = parentPort!;
const opts = workerData as ShardPassOptions;
const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

runShardPass(
  opts, (batch) => post({ type: 'batch', batch }, batchTransfer(batch)), undefined,
  (part) => post({ type: 'transactions', part }, [part.array.buffer as ArrayBuffer]),
)
  .then((result) => post({ type: 'done', result }, TransactionTable.transfer(result.transactions)))
  .catch((e: unknown) => post({ type: 'failed', message: e instanceof Error ? e.message : String(e) }));
