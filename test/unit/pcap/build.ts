// Hand-built capture bytes for the pcap tests (independent of our writers, so both can be checked).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Packet payload of `n` bytes with a recognisable pattern. */
export function payload(n: number, seed = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed * 13 + 1) & 0xff;
  return b;
}

const utf8 = new TextEncoder();

// ---- classic pcap ----

export interface PcapHeaderSpec {
  le?: boolean;
  ns?: boolean;
  snapLen?: number;
  /** The whole 32-bit link field (link type plus FCS bits). */
  linkField?: number;
  major?: number;
  minor?: number;
}

export function pcapHeader(h: PcapHeaderSpec = {}): Uint8Array {
  const le = h.le ?? true;
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  v.setUint32(0, h.ns ? 0xa1b23c4d : 0xa1b2c3d4, le);
  v.setUint16(4, h.major ?? 2, le);
  v.setUint16(6, h.minor ?? 4, le);
  v.setUint32(16, h.snapLen ?? 65535, le);
  v.setUint32(20, h.linkField ?? 1, le);
  return b;
}

export interface PcapRecordSpec {
  sec: number;
  frac: number;
  data: Uint8Array;
  /** Defaults to data.length. */
  capLen?: number;
  origLen?: number;
}

export function pcapRecord(r: PcapRecordSpec, le = true): Uint8Array {
  const b = new Uint8Array(16 + r.data.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, r.sec, le);
  v.setUint32(4, r.frac, le);
  v.setUint32(8, r.capLen ?? r.data.length, le);
  v.setUint32(12, r.origLen ?? r.data.length, le);
  b.set(r.data, 16);
  return b;
}

export function pcapFile(h: PcapHeaderSpec, recs: readonly PcapRecordSpec[]): Uint8Array {
  return concat([pcapHeader(h), ...recs.map((r) => pcapRecord(r, h.le ?? true))]);
}

// ---- pcapng ----

export type Opt = [code: number, value: Uint8Array | string];

function pad(n: number): number {
  return (n + 3) & ~3;
}

export function options(opts: readonly Opt[], le: boolean, end = true): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [code, val] of opts) {
    const bytes = typeof val === 'string' ? utf8.encode(val) : val;
    const o = new Uint8Array(4 + pad(bytes.length));
    const v = new DataView(o.buffer);
    v.setUint16(0, code, le);
    v.setUint16(2, bytes.length, le);
    o.set(bytes, 4);
    parts.push(o);
  }
  if (opts.length > 0 && end) parts.push(new Uint8Array(4));
  return concat(parts);
}

/** A block: type, total length, body (padded to 4), total length. */
export function block(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const total = 12 + pad(body.length);
  const b = new Uint8Array(total);
  const v = new DataView(b.buffer);
  v.setUint32(0, type, le);
  v.setUint32(4, total, le);
  b.set(body, 8);
  v.setUint32(total - 4, total, le);
  return b;
}

export function shb(le: boolean, opts: readonly Opt[] = []): Uint8Array {
  const fixed = new Uint8Array(16);
  const v = new DataView(fixed.buffer);
  v.setUint32(0, 0x1a2b3c4d, le);
  v.setUint16(4, 1, le);
  v.setUint16(6, 0, le);
  v.setBigInt64(8, -1n, le);
  return block(0x0a0d0d0a, concat([fixed, options(opts, le)]), le);
}

export function idb(le: boolean, linkType: number, snapLen: number, opts: readonly Opt[] = []): Uint8Array {
  const fixed = new Uint8Array(8);
  const v = new DataView(fixed.buffer);
  v.setUint16(0, linkType, le);
  v.setUint32(4, snapLen, le);
  return block(1, concat([fixed, options(opts, le)]), le);
}

/** Packet body: data padded to 4 then options. */
function withData(fixed: Uint8Array, data: Uint8Array, opts: readonly Opt[], le: boolean): Uint8Array {
  const d = new Uint8Array(pad(data.length));
  d.set(data);
  return concat([fixed, d, options(opts, le)]);
}

export interface EpbSpec {
  iface: number;
  ticks: bigint;
  data: Uint8Array;
  capLen?: number;
  origLen?: number;
  opts?: readonly Opt[];
}

export function epb(le: boolean, p: EpbSpec): Uint8Array {
  const fixed = new Uint8Array(20);
  const v = new DataView(fixed.buffer);
  v.setUint32(0, p.iface, le);
  v.setUint32(4, Number(p.ticks >> 32n), le);
  v.setUint32(8, Number(p.ticks & 0xffffffffn), le);
  v.setUint32(12, p.capLen ?? p.data.length, le);
  v.setUint32(16, p.origLen ?? p.data.length, le);
  return block(6, withData(fixed, p.data, p.opts ?? [], le), le);
}

/** Obsolete Packet Block (type 2). */
export function opb(le: boolean, p: EpbSpec & { drops?: number }): Uint8Array {
  const fixed = new Uint8Array(20);
  const v = new DataView(fixed.buffer);
  v.setUint16(0, p.iface, le);
  v.setUint16(2, p.drops ?? 0, le);
  v.setUint32(4, Number(p.ticks >> 32n), le);
  v.setUint32(8, Number(p.ticks & 0xffffffffn), le);
  v.setUint32(12, p.capLen ?? p.data.length, le);
  v.setUint32(16, p.origLen ?? p.data.length, le);
  return block(2, withData(fixed, p.data, p.opts ?? [], le), le);
}

/** Simple Packet Block: original length, then the (snaplen-cut) data. */
export function spb(le: boolean, origLen: number, data: Uint8Array): Uint8Array {
  const fixed = new Uint8Array(4);
  new DataView(fixed.buffer).setUint32(0, origLen, le);
  return block(3, withData(fixed, data, [], le), le);
}

/** Name Resolution Block with one IPv4 record and nrb_end. */
export function nrb(le: boolean): Uint8Array {
  const name = utf8.encode('db.example\0');
  const rec = new Uint8Array(4 + pad(4 + name.length));
  const v = new DataView(rec.buffer);
  v.setUint16(0, 1, le);
  v.setUint16(2, 4 + name.length, le);
  rec.set([127, 0, 0, 1], 4);
  rec.set(name, 8);
  return block(4, concat([rec, new Uint8Array(4)]), le);
}

/** Interface Statistics Block with an isb_ifrecv option and a comment. */
export function isb(le: boolean, iface: number): Uint8Array {
  const fixed = new Uint8Array(12);
  new DataView(fixed.buffer).setUint32(0, iface, le);
  const recv = new Uint8Array(8);
  new DataView(recv.buffer).setBigUint64(0, 42n, le);
  return block(5, concat([fixed, options([[4, recv], [1, 'stats']], le)]), le);
}

export function tsresolOpt(v: number): Opt {
  return [9, Uint8Array.of(v)];
}

export function tsoffsetOpt(sec: bigint, le: boolean): Opt {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, sec, le);
  return [14, b];
}

export function flagsOpt(flags: number, le: boolean): Opt {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, flags, le);
  return [2, b];
}

// ---- files and reference tools ----

export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'dbwire-pcap-test-'));
  private n = 0;

  file(bytes: Uint8Array, name?: string): string {
    const p = join(this.path, name ?? `f${++this.n}.bin`);
    writeFileSync(p, bytes);
    return p;
  }

  name(name: string): string {
    return join(this.path, name);
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** tshark -T fields output lines (stdout even when tshark reports a damaged file). */
export function tsharkFields(file: string, fields: readonly string[], extra: readonly string[] = []): { lines: string[]; stderr: string } {
  const args = ['-n', '-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f]), ...extra];
  const r = spawnSync('tshark', args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return {
    lines: r.stdout.split('\n').filter((l) => l.length > 0),
    stderr: r.stderr
      .split('\n')
      .filter((l) => l && !l.includes('Running as user'))
      .join('\n'),
  };
}

/** tcpdump -r FILE -nn -tt -x output (must succeed). */
export function tcpdumpRead(file: string): string[] {
  const r = spawnSync('tcpdump', ['-r', file, '-nn', '-tt', '-x'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`tcpdump failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.length > 0);
}

/** "sec.nnnnnnnnn" as tshark prints frame.time_epoch. */
export function epoch(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, '0')}`;
}

/** A real-looking Ethernet/IPv4/TCP frame of `len` bytes (≥ 54), so tools decode it plainly. */
export function ethFrame(len: number, seed = 0): Uint8Array {
  if (len < 54) return payload(len, seed);
  const b = payload(len, seed);
  b.set([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00], 0);
  const ipLen = b.length - 14;
  b.set([0x45, 0, ipLen >> 8, ipLen & 0xff, 0, 1, 0x40, 0, 64, 6, 0, 0, 127, 0, 0, 1, 127, 0, 0, 2], 14);
  b.set([0x0c, 0xea, 0x13, 0x88, 0, 0, 0, seed & 0xff, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0], 34);
  return b;
}
