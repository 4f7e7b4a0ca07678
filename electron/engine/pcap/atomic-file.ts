import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

const BUFFER_SIZE = 1024 * 1024;

/**
 * Buffered output to a temp file in the target's directory; commit() renames it into place, so a
 * reader never sees a half-written file under the final name. abort() deletes the temp file.
 */
export class AtomicFile {
  readonly tempPath: string;
  private fd: number;
  private readonly buf = new Uint8Array(BUFFER_SIZE);
  private used = 0;
  /** Bytes written so far (buffered included). */
  written = 0;

  constructor(readonly finalPath: string) {
    this.tempPath = join(dirname(finalPath), `.${basename(finalPath)}.${randomBytes(6).toString('hex')}.part`);
    this.fd = openSync(this.tempPath, 'wx');
  }

  get open(): boolean {
    return this.fd >= 0;
  }

  /** Reserve `n` contiguous bytes in the buffer (n ≤ buffer size); returns their index. */
  reserve(n: number): { buf: Uint8Array; at: number } {
    this.ensureOpen();
    if (n > this.buf.length - this.used) this.flush();
    const at = this.used;
    this.used += n;
    this.written += n;
    return { buf: this.buf, at };
  }

  /** Append bytes of any length (large ones bypass the buffer). */
  write(bytes: Uint8Array): void {
    this.ensureOpen();
    if (bytes.length > this.buf.length - this.used) {
      this.flush();
      if (bytes.length > this.buf.length) {
        this.writeAll(bytes);
        this.written += bytes.length;
        return;
      }
    }
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
    this.written += bytes.length;
  }

  commit(): void {
    this.ensureOpen();
    try {
      this.flush();
      fsyncSync(this.fd);
    } catch (e) {
      this.abort();
      throw e;
    }
    closeSync(this.fd);
    this.fd = -1;
    try {
      renameSync(this.tempPath, this.finalPath);
    } catch (e) {
      rmSync(this.tempPath, { force: true });
      throw e;
    }
  }

  abort(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
    rmSync(this.tempPath, { force: true });
  }

  flush(): void {
    if (this.used > 0) {
      this.writeAll(this.buf.subarray(0, this.used));
      this.used = 0;
    }
  }

  private writeAll(bytes: Uint8Array): void {
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
  }

  private ensureOpen(): void {
    if (this.fd < 0) throw new Error(`capture writer for ${this.finalPath} is already closed`);
  }
}
