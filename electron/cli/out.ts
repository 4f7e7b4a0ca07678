/** Buffered standard output: one write per ~64 KiB instead of one per line. */
import { writeSync } from 'node:fs';

export class Out {
  private buf: string[] = [];
  private size = 0;
  private closed = false;

  constructor(private readonly fd = 1) {}

  line(s: string): void {
    this.write(s + '\n');
  }

  write(s: string): void {
    if (this.closed) return;
    this.buf.push(s);
    this.size += s.length;
    if (this.size >= 65536) this.flush();
  }

  flush(): void {
    if (!this.buf.length || this.closed) return;
    const data = this.buf.join('');
    this.buf = [];
    this.size = 0;
    try {
      let b = Buffer.from(data, 'utf8');
      while (b.length) {
        try {
          const n = writeSync(this.fd, b);
          b = b.subarray(n);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
          throw e;
        }
      }
    } catch (e) {
      // A closed pipe (`dbwire read ... | head`) ends output quietly, as tshark does.
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') { this.closed = true; return; }
      throw e;
    }
  }

  get isClosed(): boolean { return this.closed; }
}
