import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { mysqlDissector } from '../../../electron/engine/decode/protocols/mysql';
import { newPacketInfo } from '../../../electron/engine/decode/packet-info';
import { PacketTree } from '../../../electron/engine/decode/tree';
import { BoundsError, Tvb } from '../../../electron/engine/decode/tvb';
import {
  Conn, CAPS_41, EXT_PLUGIN, bytes, columnDef, eof, err, greeting, login, lstr, ok, pkt, u16, u24, u32, values,
} from './mysql-helpers';

/** Dissect one message as the driver does: a BoundsError becomes "malformed", anything else is a bug. */
function dissectLikeDriver(state: ReturnType<typeof mysqlDissector.newState>, msg: Uint8Array, fromServer: boolean, num: number): void {
  const n = mysqlDissector.pduLength(msg, state, fromServer);
  if (n <= 0 || n > msg.length) return;
  const tree = new PacketTree(msg);
  const tvb = new Tvb(msg.subarray(0, n));
  const item = tree.protocol(null, mysqlDissector.proto, tvb, 0, n);
  try {
    mysqlDissector.dissect(tvb, item, { pinfo: newPacketInfo(num, 0, 0), tree, state, fromServer, emit: () => undefined });
  } catch (e) {
    if (!(e instanceof BoundsError)) throw e;
  }
}

describe('mysql decoder on hostile bytes', () => {
  it('throws only BoundsError on a truncated greeting and login', () => {
    const g = greeting();
    const short = bytes(u24(g.length - 4), 0, g.subarray(4, 14)); // ends inside the thread id
    const st = mysqlDissector.newState();
    const tree = new PacketTree(short);
    const tvb = new Tvb(short);
    expect(() => mysqlDissector.dissect(tvb, tree.protocol(null, mysqlDissector.proto, tvb, 0, tvb.length),
      { pinfo: newPacketInfo(1, 0, 0), tree, state: st, fromServer: true, emit: () => undefined })).toThrow(BoundsError);
  });

  it('bounds a column count from the wire (no allocation of 2^64 columns)', () => {
    const c = Conn.loggedIn();
    c.client(pkt(0, 3, 'select 1'));
    const s = c.server(pkt(1, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f));
    // 0xfe with more than 5 bytes is an OK packet under the rules; a 0xfd length is a column count.
    expect(s.tree.has('mysql.response_code')).toBe(true);
    c.client(pkt(0, 3, 'select 1'));
    const big = c.server(pkt(1, 0xfd, 0xff, 0xff, 0xff));
    expect(big.tree.has('mysql.invalid_length')).toBe(true);
    expect(c.state.columns === null || c.state.columns.length === 0).toBe(true);
  });

  it('does not loop on session tracking or connection attributes that claim more than they hold', () => {
    const c = new Conn();
    c.server(greeting());
    const attrs = bytes(0xfc, u16(60000), lstr('a'), lstr('b'));
    const lg = pkt(1, u16(CAPS_41), u16(EXT_PLUGIN), u32(1), 33, new Uint8Array(23), 'u', 0, 0, 'db', 0, 'p', 0, attrs);
    expect(() => c.client(lg)).toThrow(BoundsError);
    const c2 = Conn.loggedIn({ ext: 0x0080 });
    c2.client(pkt(0, 3, 'set autocommit=0'));
    const tracked = pkt(1, 0, 0, 0, u16(0x4002), u16(0), 0, 20, 1, 0xfc, u16(0xffff));
    expect(() => c2.server(tracked)).toThrow(BoundsError);
  });

  it('survives random mutations of a whole conversation (only BoundsError, always progresses)', () => {
    const conversation: [boolean, Uint8Array][] = [
      [true, greeting()],
      [false, login({ ext: EXT_PLUGIN | 0x0100 | 0x0800 | 0x0080, caps: CAPS_41 | 0x0020 })],
      [true, pkt(2, 0xfe, 'caching_sha2_password', 0, 'abcdefghijklmnopqrst', 0)],
      [false, pkt(3, new Uint8Array(32).fill(3))],
      [true, pkt(4, 1, 3)],
      [true, ok(5, 0, 0, 0x4002)],
      [false, pkt(0, 3, 1, 1, 0, 1, 0x08, 0, lstr('k'), u32(1), u32(0), 'select 1')],
      [true, bytes(pkt(1, 2), columnDef(2, 'a', 3), columnDef(3, 'b'), eof(4), pkt(5, lstr('1'), 0xfb), eof(6))],
      [false, pkt(0, 22, 'select ? + ?')],
      [true, bytes(pkt(1, 0, u32(1), u16(1), u16(2), 0, u16(0)), columnDef(2, '?'), columnDef(3, '?'), eof(4), columnDef(5, 'x'), eof(6))],
      [false, pkt(0, 23, u32(1), 0, u32(1), 0, 1, 8, 0, 0x0c, 0, u32(1), u32(0), 7, 0xe8, 0x07, 1, 2, 3, 4, 5)],
      [true, bytes(pkt(1, 1), columnDef(2, 'x', 0x0b), eof(3), pkt(4, 0, 0, 8, 0, u32(1), 2, 3, 4), eof(5))],
      [false, pkt(0, 17, 'bob', 0, 20, new Uint8Array(20), 'db', 0, u16(33), 'mysql_native_password', 0)],
      [true, err(1, 1045, '28000', 'denied')],
      [false, bytes(u24(10), 0, u24(20), deflateSync(pkt(0, 3, 'select 3')).subarray(0, 10))],
      [false, pkt(0, 1)],
    ];
    let seed = 12345;
    const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
    for (let iter = 0; iter < 400; iter++) {
      const state = mysqlDissector.newState();
      let num = 0;
      for (const [fromServer, original] of conversation) {
        const msg = original.slice();
        const edits = 1 + rnd(4);
        for (let k = 0; k < edits; k++) {
          const kind = rnd(3);
          const at = rnd(msg.length);
          if (kind === 0) msg[at] = rnd(256);
          else if (kind === 1) msg[at] = [0, 0xfb, 0xfc, 0xfd, 0xfe, 0xff][rnd(6)]!;
          else msg[at] ^= 1 << rnd(8);
        }
        const cut = rnd(3) === 0 ? msg.subarray(0, rnd(msg.length + 1)) : msg;
        dissectLikeDriver(state, cut, fromServer, ++num);
        expect(() => mysqlDissector.resync!(cut, state, fromServer)).not.toThrow();
        expect(() => mysqlDissector.probe!(cut, fromServer)).not.toThrow();
      }
    }
  });

  it('recovers at the next request after garbage in mid-stream', () => {
    const c = new Conn();
    const junk = c.server(pkt(7, 0x42, 0x43));
    expect(junk.tree.has('mysql.unknown_response')).toBe(true);
    const q = c.client(pkt(0, 3, 'select 1'));
    expect(values(q, 'mysql.query')).toEqual(['select 1']);
    const r = c.server(pkt(1, 1), columnDef(2, '1'), eof(3), pkt(4, lstr('1')), eof(5));
    expect(values(r, 'mysql.row.text')).toEqual(['1']);
  });

  it('decides EOF vs row after column definitions when the capture missed the login', () => {
    // Mid-connection capture: CLIENT_DEPRECATE_EOF is assumed, but this server still sends EOFs.
    const c = new Conn();
    c.client(pkt(0, 3, 'select 1'));
    const r = c.server(pkt(1, 1), columnDef(2, 'a'), eof(3), pkt(4, lstr('1')), eof(5));
    expect(values(r, 'mysql.num_fields')).toEqual([1]);
    expect(values(r, 'mysql.row.text')).toEqual(['1']);
    expect(r.events.at(-1)).toEqual({ kind: 'response', status: 'ok', rows: 1, final: true });
  });
});
