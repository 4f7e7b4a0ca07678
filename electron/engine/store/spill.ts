/**
 * Where a session's finished column chunks go so resident memory stays flat however long the
 * capture: an unlinked temporary file, written once per chunk, read back on demand. A byte budget
 * bounds the chunks kept in memory; past it the earliest loaded are dropped (they are on disk).
 * The operating system's page cache usually still holds the file, so reading a chunk back is a
 * memory copy, and under memory pressure those pages are the first the kernel reclaims.
 */
import { closeSync, mkdirSync, openSync, readSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Something holding chunks in memory that the spill may ask to let one go. */
export interface SpillOwner {
  /** Returns true when the owner keeps the array to fill again (its memory is not let go). */
  drop(chunk: number): boolean;
}

export interface SpillOptions {
  /** Folder for the spill file (default: see defaultSpillDir). */
  readonly dir?: string;
  /** Bytes of spilled chunks kept in memory (default DEFAULT_SPILL_BUDGET). */
  readonly budget?: number;
}

/**
 * 4 MiB: a page of rows reads one chunk per column (each owner's newest is never dropped), and a
 * filter or export walks the chunks in order; on the bench capture 16 MiB was no faster at any of
 * them and kept the peak RSS ~15 MB higher, and 4 against 8 MiB (four alternating runs each) gave
 * the same filter, export and packet times with a peak RSS 4 MB lower (153.8 → 149.5 MB).
 */
export const DEFAULT_SPILL_BUDGET = 4 * 1024 * 1024;

const TMPFS_MAGIC = 0x01021994;

/**
 * The OS temp folder, unless it is a RAM file system (tmpfs /tmp on many Linux systems: spilling
 * there would keep the bytes in RAM); then the user's cache folder.
 */
export function defaultSpillDir(): string {
  const tmp = tmpdir();
  try { if (statfsSync(tmp).type !== TMPFS_MAGIC) return tmp; } catch { return tmp; }
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'dbwire');
}

/** Dropped arrays an owner keeps to fill again (see SpillableArrays' `reuse`). */
const SPARE_ARRAYS = 1;

interface Resident {
  readonly owner: SpillOwner;
  readonly chunk: number;
  readonly bytes: number;
}

export class Spill {
  private fd = -1;
  private closed = false;
  private path = '';
  private end = 0;
  private residentBytes = 0;
  private nextOwner = 0;
  /** Chunks in memory that are also on disk, least recently used first. */
  private readonly resident = new Map<number, Resident>();
  /** Each owner's most recently used chunk: never dropped, so reading row by row across all the
   *  columns (a page of rows) cannot make them evict each other's chunks on every read. */
  private readonly newest = new Map<number, number>();
  private readonly budget: number;

  /** `released`: told the bytes of each chunk it drops (they are garbage now: see GcPacer). */
  constructor(private readonly opts: SpillOptions = {}, private readonly released?: (bytes: number) => void) {
    this.budget = opts.budget ?? DEFAULT_SPILL_BUDGET;
  }

  /** An id for an owner's chunks (owners number their own chunks from 0). */
  owner(): number {
    return this.nextOwner++;
  }

  /** Bytes written to the spill file. */
  get spilledBytes(): number {
    return this.end;
  }

  /** Appends `bytes`; returns where they are in the file. */
  write(bytes: ArrayBufferView): number {
    if (this.closed) throw new Error('the session is closed');
    if (this.fd < 0) this.create();
    const at = this.end;
    const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let done = 0; done < view.length;) done += writeSync(this.fd, view, done, view.length - done, at + done);
    this.end += view.length;
    return at;
  }

  /** Fills `into` from the file at `at`. */
  read(at: number, into: ArrayBufferView): void {
    const view = new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
    for (let done = 0; done < view.length;) {
      const n = readSync(this.fd, view, done, view.length - done, at + done);
      if (n <= 0) throw new Error(`spill file ${this.path} ended early`);
      done += n;
    }
  }

  /**
   * Chunk `chunk` of owner `id` is in memory (and on disk): keeps the others within the budget,
   * dropping the least recently used (each owner's newest excepted).
   */
  hold(id: number, owner: SpillOwner, chunk: number, bytes: number): void {
    const key = id * 2 ** 26 + chunk;
    if (this.resident.has(key)) return;
    this.resident.set(key, { owner, chunk, bytes });
    this.newest.set(id, key);
    this.residentBytes += bytes;
    for (const [k, r] of this.resident) {
      if (this.residentBytes <= this.budget) break;
      if (this.newest.get(Math.floor(k / 2 ** 26)) === k) continue;
      this.resident.delete(k);
      this.residentBytes -= r.bytes;
      if (!r.owner.drop(r.chunk)) this.released?.(r.bytes);
    }
  }

  /** Chunk `chunk` of owner `id`, in memory, was used: it is the last to be dropped now. */
  touch(id: number, chunk: number): void {
    const key = id * 2 ** 26 + chunk;
    const r = this.resident.get(key);
    if (!r) return;
    this.resident.delete(key);
    this.resident.set(key, r);
    this.newest.set(id, key);
  }

  close(): void {
    this.closed = true;
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
    // Windows cannot unlink an open file: it was left in place until now.
    try { unlinkSync(this.path); } catch { /* already unlinked */ }
  }

  private create(): void {
    const dir = this.opts.dir ?? defaultSpillDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.path = join(dir, `dbwire-spill-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`);
    // Owner-only, and unlinked at once where the OS allows it: nothing is left behind after a crash.
    this.fd = openSync(this.path, 'wx+', 0o600);
    try { unlinkSync(this.path); } catch { /* Windows: removed at close */ }
  }
}

/**
 * A list of arrays (a column's chunks, a heap's slabs, a table's rows) whose finished ones can go to a
 * spill: the bookkeeping ChunkedColumn, ByteHeap and TransactionTable share. Without a spill it is a
 * plain list.
 */
export class SpillableArrays<T extends Uint8Array | Uint16Array | Int32Array | Uint32Array | Float64Array> implements SpillOwner {
  /** In memory (null: spilled and dropped). */
  readonly items: (T | null)[] = [];
  /** Arrays that use() handed out: someone may still read them, so they are never filled again. */
  private readonly lent: boolean[] = [];
  /** Dropped arrays nobody was handed, kept for fresh() (see `reuse`). */
  private readonly spare: T[] = [];
  /** Where each sealed array is in the spill file, and its length (a heap's oversized slab differs). */
  private readonly spilledAt: number[] = [];
  private readonly spilledLen: number[] = [];
  private readonly id: number;
  private last = -1;

  /**
   * `reuse`: arrays the spill drops are kept (up to SPARE_ARRAYS) to be handed out again by
   * fresh(), unless use() ever handed them out. Why: a first pass fills and spills a column's
   * chunks one after another; letting each go and allocating the next one anew cost a major
   * collection per 4 MiB let go (GcPacer: ~45 of them on the bench capture, ~10 ms each on the
   * session's thread) and fresh pages for every chunk, where one array per column does.
   */
  constructor(private readonly spill: Spill | null, private readonly make: (length: number) => T, private reuse = false) {
    this.id = spill ? spill.owner() : -1;
  }

  /**
   * No more arrays will be filled (the pass ended): the spare ones go, and arrays dropped from now
   * on are let go too (a chunk no page had read, dropped when a filter loads others, was kept as a
   * spare that nothing would take: ~2.7 MB on the bench capture). Returns their bytes.
   */
  releaseSpares(): number {
    this.reuse = false;
    let n = 0;
    for (const a of this.spare) n += a.byteLength;
    this.spare.length = 0;
    return n;
  }

  /** A zeroed array of `length` for the next push: a spare one when it fits, else a new one. */
  fresh(length: number): T {
    const a = this.spare.pop();
    if (a && a.length === length) {
      a.fill(0);
      return a;
    }
    return this.make(length);
  }

  get length(): number {
    return this.items.length;
  }

  push(a: T): void {
    this.items.push(a);
  }

  /**
   * Appends a final array straight to the spill file, not kept in memory (loaded back when used).
   * For arrays that arrive from elsewhere (a worker's transaction parts), which nothing reads
   * during the pass: holding them in the budget pushed the columns' chunks out of it. Without a
   * spill it is a plain push. Returns true when the array is not kept.
   */
  pushSpilled(a: T): boolean {
    if (!this.spill) { this.items.push(a); return false; }
    const k = this.items.length;
    this.items.push(null);
    this.spilledAt[k] = this.spill.write(a);
    this.spilledLen[k] = a.length;
    return true;
  }

  isSealed(k: number): boolean {
    return this.spilledAt[k] !== undefined;
  }

  /** Array k, read back if it was dropped, and marked as the most recently used. */
  use(k: number): T {
    const a = this.items[k];
    // Reads that stay in one array are the common case: it is marked used when they come to it.
    if (a && k === this.last) return a;
    this.last = k;
    this.lent[k] = true;
    if (!a) return this.load(k);
    if (this.spill && this.spilledAt[k] !== undefined) this.spill.touch(this.id, k);
    return a;
  }

  /** Arrays before `upTo` are final: to the spill file now, kept in memory while its budget allows. */
  seal(upTo: number): void {
    if (!this.spill) return;
    for (let k = this.spilledAt.length; k < upTo && k < this.items.length; k++) {
      const a = this.items[k]!;
      this.spilledAt[k] = this.spill.write(a);
      this.spilledLen[k] = a.length;
      this.spill.hold(this.id, this, k, a.byteLength);
    }
  }

  drop(k: number): boolean {
    const a = this.items[k];
    this.items[k] = null;
    if (!this.reuse || !a || this.lent[k] || this.spare.length >= SPARE_ARRAYS) return false;
    this.spare.push(a);
    return true;
  }

  private load(k: number): T {
    const at = this.spilledAt[k];
    if (at === undefined || !this.spill) throw new RangeError(`no chunk ${k}${k < this.items.length ? ' here (it was handed over)' : ''}`);
    const a = this.make(this.spilledLen[k]!);
    this.spill.read(at, a);
    this.items[k] = a;
    this.spill.hold(this.id, this, k, a.byteLength);
    return a;
  }

  /** Bytes of the arrays in memory. */
  get bytes(): number {
    let n = 0;
    for (const a of this.items) n += a?.byteLength ?? 0;
    return n;
  }
}
