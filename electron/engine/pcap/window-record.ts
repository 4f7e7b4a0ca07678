/**
 * A frame record whose bytes stay in the reader's window until asked for: `data` is a view made
 * on first read (then kept). Why: each pass worker reads every frame's header but dissects only
 * its own shard's, about half, and a view per frame was most of the pass's typed-array creation;
 * the shard's flow hash reads the window directly (`buf` from `at`, `capLen` bytes).
 *
 * The bytes are the reader's window, as an eager view's would be: valid until the next next().
 */
import type { FrameRecord } from './types';

export class WindowRecord implements FrameRecord {
  // Every optional field is present from the start: records share one hidden class.
  comments: string[] | undefined = undefined;
  noTimestamp: boolean | undefined = undefined;
  flags: number | undefined = undefined;
  custom: { pen: number; copyAllowed: boolean } | undefined = undefined;
  private view: Uint8Array | null = null;

  constructor(
    public num: number,
    public recordOffset: number,
    public dataOffset: number,
    public capLen: number,
    public origLen: number,
    public tsSec: number,
    public tsNsec: number,
    public iface: number,
    public linkType: number,
    /** The reader's window buffer and where the frame's bytes start in it. */
    readonly buf: Uint8Array,
    readonly at: number,
  ) {}

  get data(): Uint8Array {
    return (this.view ??= this.buf.subarray(this.at, this.at + this.capLen));
  }

  set data(bytes: Uint8Array) {
    this.view = bytes;
  }
}
