/**
 * How a capture tool's output reaches the capture process: through a FIFO that we read with
 * large non-blocking reads on a short timer, instead of the child's stdout stream. tcpdump -U
 * writes every packet with its own write(2); a stream reads as soon as anything arrives, so at
 * 100k packets/s that was ~30k wake-ups and 'data' events a second, a quarter of a CPU (measured)
 * taken from tcpdump and the traffic on a 2-core machine. Polled every millisecond while packets
 * flow, the same data comes in ~1k reads of many packets (a quarter of the CPU time).
 * A FIFO rather than the stdout pipe only because Node gives no public way to read a child's
 * stdout pipe by descriptor. Where mkfifo is missing (Windows), Fifo.open() returns null and the
 * caller reads stdout as a stream.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Larger than any pipe's capacity (64 KiB on Linux by default): one read empties it. */
const READ_BYTES = 1024 * 1024;
/** Poll interval while data flows; doubled while idle up to IDLE_MAX_MS (the spool flushes every 100 ms anyway). */
const BUSY_MS = 1;
const IDLE_MAX_MS = 16;
/** A poll that found this much had a nearly full pipe (64 KiB on Linux): read again at once. */
const FULL_PIPE_BYTES = 32 * 1024;

/** A FIFO already opened at both ends and gone from the file system. */
export class Fifo {
  private constructor(readonly readFd: number, private write: number) {}

  /** Give to the child as its stdout, then closeWriteEnd(): EOF then means the child is done. */
  get writeFd(): number { return this.write; }

  closeWriteEnd(): void {
    if (this.write >= 0) closeSync(this.write);
    this.write = -1;
  }

  /** Both ends (when no FifoPoller took the read end over). */
  close(): void {
    this.closeWriteEnd();
    closeSync(this.readFd);
  }

  /** null where there are no FIFOs (Windows) or mkfifo fails: read the child's stdout instead. */
  static open(): Fifo | null {
    if (process.platform === 'win32') return null;
    let dir: string | null = null;
    let readFd = -1;
    try {
      // A private directory: nobody else can open the FIFO in the moment it has a name.
      dir = mkdtempSync(join(tmpdir(), 'dbwire-fifo-'));
      const path = join(dir, 'out');
      if (spawnSync('mkfifo', ['-m', '600', path], { timeout: 5000 }).status !== 0) return null;
      // Read end first and non-blocking (a blocking open would wait for a writer); then the write
      // end, which opens at once since a reader exists, and stays blocking for the writer.
      readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      return new Fifo(readFd, openSync(path, constants.O_WRONLY));
    } catch {
      if (readFd >= 0) closeSync(readFd);
      return null;
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** Polls a FIFO's read end (and owns it) and hands each chunk, valid during the call only, to onData. */
export class FifoPoller {
  private readonly buf = Buffer.allocUnsafe(READ_BYTES);
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private idleMs = BUSY_MS;
  private fd: number;
  /** The writer closed its end and everything was read. */
  ended = false;

  constructor(fd: number, private readonly onData: (chunk: Buffer) => void) {
    this.fd = fd;
    this.schedule(0);
  }

  /**
   * Reads what the FIFO holds now; returns the bytes read. `toEnd`: keep reading until the pipe
   * is empty (EAGAIN) or closed (sets `ended`) — once the writer has exited, that is everything.
   */
  drain(toEnd = false): number {
    let got = 0;
    while (this.fd >= 0 && !this.ended) {
      let n: number;
      try {
        n = readSync(this.fd, this.buf, 0, READ_BYTES, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
        throw e;
      }
      if (n === 0) { this.ended = true; break; }
      got += n;
      this.onData(this.buf.subarray(0, n));
      // Polling, a short read has (nearly) emptied the pipe: another read now would mostly find
      // EAGAIN, which costs an Error.
      if (!toEnd && n < READ_BYTES) break;
    }
    return got;
  }

  /** Stops polling and closes the read end (after a final drain by the caller, if wanted). */
  close(): void {
    this.cancel();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private readonly poll = (): void => {
    this.timer = null;
    this.immediate = null;
    let got: number;
    try {
      got = this.drain();
    } catch {
      this.ended = true; // a read error: the writer is gone for good
      return;
    }
    if (this.ended || this.fd < 0) return;
    this.idleMs = got ? BUSY_MS : Math.min(this.idleMs * 2, IDLE_MAX_MS);
    this.schedule(got >= FULL_PIPE_BYTES ? 0 : this.idleMs);
  };

  private schedule(ms: number): void {
    if (ms) this.timer = setTimeout(this.poll, ms);
    else this.immediate = setImmediate(this.poll);
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }
}
