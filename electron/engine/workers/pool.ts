/**
 * Runs the first pass as `shards` worker threads (one per core by default), each on its shard of
 * the connections; batches (and finished parts of each shard's transaction table) come back as
 * transferred buffers. Cancelling terminates the workers.
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { batchTransfer, type FrameBatch, type ShardResult } from '../store/batch';
import type { TxShipment } from '../analysis/transaction-table';
import type { ShardPassOptions } from '../store/shard-pass';
import type { WorkerMessage } from './messages';
import { workerScript } from './worker-script';
import { BatchWindowCounter } from './batch-window';

export function defaultShards(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

export interface ShardRun {
  readonly done: Promise<ShardResult[]>;
  cancel(): void;
  /** A batch is merged: its buffers go back to the worker that filled it, for its next batches. */
  recycle(b: FrameBatch): void;
}

/** What a pass worker is started with. */
export interface ShardWorkerData {
  readonly opts: ShardPassOptions;
  /** Its batches' buffers come back on this port once merged. */
  readonly recycled: MessagePort;
  /** Its batches merged so far (a BatchWindowCounter's): it waits while it is a window ahead. */
  readonly merged: SharedArrayBuffer;
}

/**
 * The pass workers' TurboFan compiles on their own threads. V8 reads the flag when it creates an
 * isolate, so this process's own thread (which started before) keeps compiling in the background.
 * Why: the pass's code is compiled ~240 times per worker (each new message kind or rare path
 * deoptimizes it, then it is recompiled: ~0.8 s of compiling per worker on the bench capture);
 * on V8's background threads those compiles took turns with the workers on the same cores, and
 * cost ~0.4 s more CPU in all. The session's own thread is better off as it is: a deep filter
 * dissects there while the cores of the finished workers are idle.
 * Pass harness, flag for the whole process: 4.2–4.45 → 3.9–4.2 s, CPU −0.4 s (and the deep filter ~0.3 s
 * slower, hence the workers only).
 */
function compileOnWorkerThreads(): void {
  setFlagsFromString('--no-concurrent-recompilation');
}

export function runShardWorkers(
  base: Omit<ShardPassOptions, 'shard' | 'shards'>,
  shards: number,
  onBatch: (b: FrameBatch) => void,
  onTransactions: (shard: number, s: TxShipment) => void,
): ShardRun {
  const workers: Worker[] = [];
  const returns: MessagePort[] = [];
  const merged = Array.from({ length: shards }, () => new BatchWindowCounter());
  let cancelled = false;
  const one = (url: URL, shard: number) => new Promise<ShardResult>((resolve, reject) => {
    if (cancelled) { reject(new Error('cancelled')); return; }
    // A small young generation: the pass's garbage is short-lived, and V8's default for a worker let
    // each one keep tens of MB more resident (measured: peak RSS 377 → 344 MB, pass time unchanged).
    // The engine's processes start with --max-semi-space-size, which overrides this (process-env.ts).
    const { port1, port2 } = new MessageChannel();
    returns[shard] = port1;
    const workerData: ShardWorkerData = { opts: { ...base, shard, shards }, recycled: port2, merged: merged[shard]!.shared };
    const w = new Worker(url, { workerData, transferList: [port2], resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    workers.push(w);
    let settled = false;
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'batch') onBatch(m.batch);
      else if (m.type === 'transactions') onTransactions(shard, m.part);
      else if (m.type === 'done') { settled = true; resolve(m.result); void w.terminate(); }
      else { settled = true; reject(new Error(m.message)); void w.terminate(); }
    });
    w.on('error', (e) => { settled = true; reject(e); });
    w.on('exit', () => { if (!settled) reject(new Error(cancelled ? 'cancelled' : 'pass worker exited unexpectedly')); });
  });
  compileOnWorkerThreads();
  const done = workerScript().then((url) => Promise.all(Array.from({ length: shards }, (_, shard) => one(url, shard))));
  done.catch(() => {
    for (const m of merged) m.open();
    for (const w of workers) void w.terminate();
  });
  done.finally(() => { for (const p of returns) p?.close(); }).catch(() => {});
  return {
    done,
    cancel() {
      cancelled = true;
      for (const m of merged) m.open();
      for (const w of workers) void w.terminate();
    },
    recycle(b) {
      const port = returns[b.shard];
      if (!port || cancelled) return;
      const buffers = batchTransfer(b);
      port.postMessage(buffers, buffers);
      merged[b.shard]!.add();
    },
  };
}
