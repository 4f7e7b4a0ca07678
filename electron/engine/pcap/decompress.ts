import { closeSync, createReadStream, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';

export interface Decompressed {
  /** Path of the decompressed temp file. */
  path: string;
  /** Set when the compressed stream was damaged or cut short; what came before is in the file. */
  problem?: string;
  /** Removes the temp file (idempotent). */
  cleanup(): void;
}

const READ_CHUNK = 1024 * 1024;

/**
 * Decompress a gzip or zstd capture into a private temp file, so packet offsets stay valid for
 * random access later. Memory stays flat: data flows chunk by chunk straight to disk.
 */
export async function decompressToTemp(path: string, kind: 'gzip' | 'zstd'): Promise<Decompressed> {
  const dir = mkdtempSync(join(tmpdir(), 'dbwire-capture-'));
  const out = join(dir, 'capture');
  let removed = false;
  const cleanup = (): void => {
    if (removed) return;
    try {
      rmSync(dir, { recursive: true, force: true });
      removed = true;
    } catch {
      // still open elsewhere (Windows); a later cleanup() call retries
    }
  };
  const fd = openSync(out, 'w');
  let problem: string | undefined;
  try {
    problem = kind === 'gzip' ? await gunzipInto(path, fd) : await zstdInto(path, fd);
  } catch (e) {
    closeSync(fd);
    cleanup();
    throw e;
  }
  closeSync(fd);
  return problem === undefined ? { path: out, cleanup } : { path: out, problem, cleanup };
}

function gunzipInto(path: string, fd: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    // default finishFlush (Z_FINISH): a cut-short stream still emits all it could decode, then
    // errors, which is how truncation is noticed (Z_SYNC_FLUSH would end silently)
    const gz = createGunzip();
    const input = createReadStream(path, { highWaterMark: READ_CHUNK });
    let settled = false;
    const finish = (problem: string | undefined): void => {
      if (settled) return;
      settled = true;
      input.destroy();
      resolve(problem);
    };
    input.on('error', (e) => {
      if (!settled) {
        settled = true;
        reject(e);
      }
    });
    gz.on('data', (chunk: Buffer) => {
      try {
        writeAll(fd, chunk);
      } catch (e) {
        settled = true;
        input.destroy();
        gz.destroy();
        reject(e);
      }
    });
    gz.on('error', (e) => finish(`gzip data is damaged or cut short (${e.message})`));
    gz.on('end', () => finish(undefined));
    input.pipe(gz);
  });
}

async function zstdInto(path: string, fd: number): Promise<string | undefined> {
  const inFd = openSync(path, 'r');
  const buf = new Uint8Array(READ_CHUNK);
  const z = new ZstdDecompress((chunk) => writeAll(fd, chunk));
  try {
    let pos = 0;
    for (;;) {
      const n = readSync(inFd, buf, 0, buf.length, pos);
      pos += n;
      // fzstd may keep a reference to the pushed chunk: give it its own copy
      if (n === 0) {
        z.push(new Uint8Array(0), true);
        return undefined;
      }
      z.push(buf.slice(0, n));
      // fzstd is synchronous: let the event loop breathe between chunks
      await new Promise<void>((r) => setImmediate(r));
    }
  } catch (e) {
    if (isFsError(e)) throw e;
    return `zstd data is damaged or cut short (${e instanceof Error ? e.message : String(e)})`;
  } finally {
    closeSync(inFd);
  }
}

function writeAll(fd: number, chunk: Uint8Array): void {
  let off = 0;
  while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
}

function isFsError(e: unknown): boolean {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && (e as NodeJS.ErrnoException).syscall !== undefined;
}
