// The pass workers' flow control: a worker a window of batches ahead of the merge blocks until the
// session has merged one (or the pass is cancelled), across real threads and shared memory.
import { afterEach, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { bundledEntry } from '../../../electron/cli/bundle-cache.mjs';
import { BatchWindowCounter } from '../../../electron/engine/workers/batch-window';

const ENTRY = fileURLToPath(new URL('../../support/batch-window-worker.ts', import.meta.url));
const started: Worker[] = [];

/** A worker that has sent `sent` batches; `said` lists its messages as they come. */
async function workerAhead(counter: BatchWindowCounter, sent: number, window = 2): Promise<{ said: string[]; next: () => Promise<string> }> {
  const w = new Worker(await bundledEntry(ENTRY), { workerData: { merged: counter.shared, sent, window } });
  started.push(w);
  const said: string[] = [];
  const waiters: ((m: string) => void)[] = [];
  w.on('message', (m: string) => { said.push(m); waiters.shift()?.(m); });
  w.on('error', (e) => { throw e; });
  const next = () => new Promise<string>((resolve) => waiters.push(resolve));
  return { said, next };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(async () => {
  await Promise.all(started.splice(0).map((w) => w.terminate()));
});

describe('BatchWindow', () => {
  it('lets a worker go on while it is less than a window ahead', async () => {
    const w = await workerAhead(new BatchWindowCounter(), 1);
    expect(await w.next()).toBe('waiting');
    expect(await w.next()).toBe('went on');
  });

  it('holds a worker a window ahead until one of its batches is merged', async () => {
    const counter = new BatchWindowCounter();
    const w = await workerAhead(counter, 3);
    expect(await w.next()).toBe('waiting');
    counter.add(); // 2 unmerged: still a window ahead
    await pause(200);
    expect(w.said).toEqual(['waiting']);
    const went = w.next();
    counter.add();
    expect(await went).toBe('went on');
  });

  it('lets every waiting worker go when the pass is cancelled', async () => {
    const counter = new BatchWindowCounter();
    const w = await workerAhead(counter, 50);
    expect(await w.next()).toBe('waiting');
    await pause(100);
    expect(w.said).toEqual(['waiting']);
    const went = w.next();
    counter.open();
    expect(await went).toBe('went on');
  });
});
