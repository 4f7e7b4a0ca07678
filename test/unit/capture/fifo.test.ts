// The capture process's plumbing: the FIFO a capture tool writes into (polled reads, everything
// read by the time the writer exits, EOF seen).
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { Fifo, FifoPoller } from '../../../electron/capture/fifo';

describe('Fifo and FifoPoller', () => {
  it('delivers every byte a child writes, in order, and sees the end once it exits', async () => {
    const fifo = Fifo.open();
    if (!fifo) throw new Error('mkfifo is not available');
    // 3 MiB in writes of assorted sizes, some pauses: more than a pipe holds, so the writer blocks.
    const script = `let i = 0; const out = require('fs');
      function more() { for (let k = 0; k < 64 && i < 3 * 1024 * 1024; k++) { const n = Math.min(1 + (i % 1500), 3 * 1024 * 1024 - i);
        const b = Buffer.alloc(n); for (let j = 0; j < n; j++) b[j] = (i + j) & 255; out.writeSync(1, b); i += n; }
        if (i < 3 * 1024 * 1024) setTimeout(more, 1); }
      more();`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', fifo.writeFd, 'inherit'] });
    fifo.closeWriteEnd();
    let total = 0, bad = 0;
    const poller = new FifoPoller(fifo.readFd, (chunk) => {
      for (let j = 0; j < chunk.length; j++) if (chunk[j] !== ((total + j) & 255)) bad++;
      total += chunk.length;
    });
    await new Promise<void>((r) => child.once('close', () => r()));
    poller.drain(true);
    expect(poller.ended).toBe(true);
    poller.close();
    expect(bad).toBe(0);
    expect(total).toBe(3 * 1024 * 1024);
  });

  it('an idle FIFO costs reads that find nothing, not errors', async () => {
    const fifo = Fifo.open()!;
    const chunks: Buffer[] = [];
    const poller = new FifoPoller(fifo.readFd, (c) => chunks.push(Buffer.from(c)));
    await new Promise((r) => setTimeout(r, 60));
    expect(poller.drain()).toBe(0);
    expect(poller.ended).toBe(false);
    const child = spawn(process.execPath, ['-e', 'process.stdout.write("late")'], { stdio: ['ignore', fifo.writeFd, 'inherit'] });
    fifo.closeWriteEnd();
    await new Promise<void>((r) => child.once('close', () => r()));
    // Within the idle back-off (at most 16 ms), without an explicit drain.
    const deadline = Date.now() + 2000;
    while (!poller.ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    poller.close();
    expect(Buffer.concat(chunks).toString()).toBe('late');
  });
});
