/** Builders for MySQL wire messages and a tiny driver that feeds them to the decoder. */
import type { AppEvent } from '../../../electron/engine/analysis/events';
import { mysqlDissector } from '../../../electron/engine/decode/protocols/mysql';
import type { MysqlState } from '../../../electron/engine/decode/protocols/mysql/state';
import { newPacketInfo, type PacketInfo } from '../../../electron/engine/decode/packet-info';
import { PacketTree } from '../../../electron/engine/decode/tree';
import { Tvb } from '../../../electron/engine/decode/tvb';

const enc = new TextEncoder();

export function bytes(...parts: (number | number[] | Uint8Array | string)[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else if (typeof p === 'string') out.push(...enc.encode(p));
    else out.push(...p);
  }
  return Uint8Array.from(out);
}
export const u16 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
export const u24 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff];
export const u32 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
export const strz = (s: string): Uint8Array => bytes(s, 0);
/** Length-encoded string (short form). */
export const lstr = (s: string): Uint8Array => { const b = enc.encode(s); return bytes(b.length, b); };

/** A MySQL packet: 3-byte length, sequence id, payload. */
export function pkt(seq: number, ...payload: (number | number[] | Uint8Array | string)[]): Uint8Array {
  const body = bytes(...payload);
  return bytes(u24(body.length), seq, body);
}

export const CAPS_41 = 0x0001 | 0x0004 | 0x0008 | 0x0200 | 0x2000 | 0x8000; // long pw, long flag, with db, 4.1, transactions, secure conn
export const EXT_PLUGIN = 0x0008 | 0x0010; // plugin auth, connect attrs

export function greeting(opts: { version?: string; caps?: number; ext?: number; plugin?: string } = {}): Uint8Array {
  const caps = opts.caps ?? (CAPS_41 | 0x0800 | 0x0020);
  const ext = opts.ext ?? 0x81ff;
  return pkt(0, 10, strz(opts.version ?? '8.0.32'), u32(42), 'abcdefgh', 0, u16(caps), 255, u16(0x0002), u16(ext), 21,
    new Uint8Array(10), 'ijklmnopqrst', 0, strz(opts.plugin ?? 'caching_sha2_password'));
}

export function login(opts: { user?: string; db?: string; caps?: number; ext?: number; plugin?: string; attrs?: [string, string][] } = {}): Uint8Array {
  const caps = opts.caps ?? CAPS_41;
  const ext = opts.ext ?? EXT_PLUGIN;
  const scramble = new Uint8Array(20).fill(0xab);
  const attrs = opts.attrs ?? [['_client_name', 'libmysql']];
  const attrBytes = bytes(...attrs.flatMap(([k, v]) => [lstr(k), lstr(v)]));
  return pkt(1, u16(caps), u16(ext), u32(16777216), 33, new Uint8Array(23), strz(opts.user ?? 'alice'), 20, scramble,
    caps & 0x0008 ? strz(opts.db ?? 'shop') : [], ext & 0x0008 ? strz(opts.plugin ?? 'mysql_native_password') : [],
    ext & 0x0010 ? bytes(attrBytes.length, attrBytes) : []);
}

export const ok = (seq: number, affected = 0, insertId = 0, status = 0x0002): Uint8Array => pkt(seq, 0, affected, insertId, u16(status), u16(0));
export const eof = (seq: number, status = 0x0002): Uint8Array => pkt(seq, 0xfe, u16(0), u16(status));
export const err = (seq: number, code: number, state: string, msg: string): Uint8Array => pkt(seq, 0xff, u16(code), '#', state, msg);

export function columnDef(seq: number, name: string, type = 0xfd, flags = 0): Uint8Array {
  return pkt(seq, lstr('def'), lstr('shop'), lstr('t'), lstr('t'), lstr(name), lstr(name), 0x0c, u16(33), u32(255), type, u16(flags), 0, u16(0));
}

export interface Step {
  readonly tree: PacketTree;
  readonly pinfo: PacketInfo;
  readonly events: AppEvent[];
}

/** A connection: feeds whole messages (checking pduLength frames them) and records what each produced. */
export class Conn {
  readonly state: MysqlState = mysqlDissector.newState();
  private frame = 0;

  /** One frame carrying one or more messages in the same direction. */
  send(fromServer: boolean, ...msgs: Uint8Array[]): Step {
    const all = bytes(...msgs);
    const tree = new PacketTree(all);
    const pinfo = newPacketInfo(++this.frame, 0, 0);
    const events: AppEvent[] = [];
    let off = 0;
    for (const m of msgs) {
      const n = mysqlDissector.pduLength(all.subarray(off), this.state, fromServer);
      if (n !== m.length) throw new Error(`pduLength ${n}, expected ${m.length}`);
      const tvb = new Tvb(all.subarray(off, off + n), 0, off);
      const item = tree.protocol(null, mysqlDissector.proto, tvb, 0, n);
      mysqlDissector.dissect(tvb, item, { pinfo, tree, state: this.state, fromServer, emit: (e) => events.push(e) });
      off += n;
    }
    return { tree, pinfo, events };
  }
  client(...msgs: Uint8Array[]): Step { return this.send(false, ...msgs); }
  server(...msgs: Uint8Array[]): Step { return this.send(true, ...msgs); }

  /** Greeting + login + OK with the given capabilities. */
  static loggedIn(opts: { caps?: number; ext?: number; srvExt?: number; srvCaps?: number } = {}): Conn {
    const c = new Conn();
    c.server(greeting({ ext: opts.srvExt ?? 0x81ff, ...(opts.srvCaps !== undefined ? { caps: opts.srvCaps } : {}) }));
    c.client(login({ ext: opts.ext ?? 0, caps: opts.caps ?? CAPS_41 }));
    c.server(ok(2));
    return c;
  }
}

/** Values of a field, in tree order. */
export function values(s: Step, name: string): unknown[] {
  return s.tree.all(name).map((n) => n.value);
}
