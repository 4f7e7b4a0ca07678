import { describe, expect, it } from 'vitest';
import { memcacheDissector } from '../../../electron/engine/decode/protocols/memcache';
import { NEED_MORE } from '../../../electron/engine/decode/app';
import { PacketTree } from '../../../electron/engine/decode/tree';
import { Tvb, BoundsError } from '../../../electron/engine/decode/tvb';
import { newPacketInfo, type PacketInfo } from '../../../electron/engine/decode/packet-info';
import type { AppEvent } from '../../../electron/engine/analysis/events';
import { MEMCACHE } from '../../../shared/fields/memcache';

const b = (s: string) => new TextEncoder().encode(s);

interface Frame { tree: PacketTree; pinfo: PacketInfo; events: AppEvent[]; lengths: number[] }

/** Split one direction's bytes into messages as the TCP driver does and dissect each. */
function feed(bytes: Uint8Array, fromServer: boolean): Frame {
  const tree = new PacketTree(bytes);
  const pinfo = newPacketInfo(1, 0, 0);
  const events: AppEvent[] = [];
  const lengths: number[] = [];
  const state = memcacheDissector.newState();
  let off = 0;
  while (off < bytes.length) {
    const len = memcacheDissector.pduLength(bytes.subarray(off), state, fromServer);
    if (len <= 0) break;
    lengths.push(len);
    const tvb = new Tvb(bytes.subarray(off, off + len), 0, off);
    const proto = tree.protocol(null, MEMCACHE, tvb, 0, len);
    memcacheDissector.dissect(tvb, proto, { pinfo, tree, state, fromServer, emit: (e) => events.push(e) });
    off += len;
  }
  return { tree, pinfo, events, lengths };
}
const values = (t: PacketTree, name: string) => t.all(name).map((n) => n.value);

/** A binary protocol message. */
function bin(magic: number, op: number, o: { key?: string; extras?: number[]; value?: string; opaque?: number; status?: number; cas?: bigint } = {}): Uint8Array {
  const key = b(o.key ?? '');
  const extras = o.extras ?? [];
  const value = b(o.value ?? '');
  const body = extras.length + key.length + value.length;
  const m = new Uint8Array(24 + body);
  const v = new DataView(m.buffer);
  m[0] = magic; m[1] = op; v.setUint16(2, key.length); m[4] = extras.length; v.setUint16(6, o.status ?? 0);
  v.setUint32(8, body); v.setUint32(12, o.opaque ?? 0); v.setBigUint64(16, o.cas ?? 0n);
  m.set(extras, 24); m.set(key, 24 + extras.length); m.set(value, 24 + extras.length + key.length);
  return m;
}
const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const u64 = (n: number) => [0, 0, 0, 0, ...u32(n)];

describe('memcache text framing', () => {
  it('includes the data block of storage commands and waits for it', () => {
    const m = b('set user:1 5 0 5\r\nhello\r\n');
    expect(memcacheDissector.pduLength(m, null, false)).toBe(m.length);
    expect(memcacheDissector.pduLength(m.subarray(0, 20), null, false)).toBe(NEED_MORE);
    expect(memcacheDissector.pduLength(b('get a'), null, false)).toBe(NEED_MORE);
    expect(memcacheDissector.pduLength(b('get a\r\nget b\r\n'), null, false)).toBe(7);
  });
  it('takes a VALUE reply up to END and STAT lines up to END', () => {
    const r = b('VALUE a 0 1\r\nx\r\nVALUE b 0 3\r\nEND\r\nEND\r\nSTORED\r\n');
    // the second data block is "END" itself: sizes, not content, delimit data blocks
    expect(memcacheDissector.pduLength(r, null, true)).toBe(39);
    expect(memcacheDissector.pduLength(b('VALUE a 0 1\r\nx\r\n'), null, true)).toBe(NEED_MORE);
    expect(memcacheDissector.pduLength(b('STAT pid 1\r\nSTAT uptime 2\r\nEND\r\nOK\r\n'), null, true)).toBe(32);
  });
});

describe('memcache text fields (as Wireshark)', () => {
  it('dissects a storage command', () => {
    const f = feed(b('set user:2 0 100 3 noreply\r\nabc\r\n'), false);
    expect(values(f.tree, 'memcache.command')).toEqual(['set']);
    expect(values(f.tree, 'memcache.key')).toEqual(['user:2']);
    expect(values(f.tree, 'memcache.flags')).toEqual([0]);
    expect(values(f.tree, 'memcache.expiration')).toEqual([100]);
    expect(values(f.tree, 'memcache.value.length')).toEqual([3]);
    expect(values(f.tree, 'memcache.noreply')).toEqual(['noreply']);
    expect(values(f.tree, 'memcache.value')).toEqual(['abc']);
    expect(f.pinfo.colInfo).toBe('set user:2 0 100 3 noreply ');
    expect(f.pinfo.colProtocol).toBe('MEMCACHE');
    expect(f.events).toEqual([{ kind: 'request', command: 'set', statement: 'set user:2 0 100 3 noreply', expectsResponse: false }]);
  });
  it('dissects cas, incr, delete, flush_all and multi-key get', () => {
    const f = feed(b('cas k 1 2 2 999\r\nzz\r\nincr ctr 5\r\ndelete k 0 noreply\r\nflush_all 10 noreply\r\nget a b c\r\nstats items\r\n'), false);
    expect(values(f.tree, 'memcache.command')).toEqual(['cas', 'incr', 'delete', 'flush_all', 'get', 'stats']);
    expect(values(f.tree, 'memcache.cas')).toEqual([999n]);
    expect(values(f.tree, 'memcache.key')).toEqual(['k', 'ctr', 'k', 'a', 'b', 'c']);
    expect(values(f.tree, 'memcache.value')).toEqual(['zz', '5']);
    expect(values(f.tree, 'memcache.expiration')).toEqual([2, 0, 10]);
    expect(values(f.tree, 'memcache.noreply')).toEqual(['noreply']);
    expect(values(f.tree, 'memcache.subcommand')).toEqual(['items']);
    expect(f.events.map((e) => (e as { statement: string }).statement)).toEqual(['cas k 1 2 2 999', 'incr ctr 5', 'delete k 0 noreply', 'flush_all 10 noreply', 'get a b c', 'stats items']);
  });
  it('dissects a VALUE reply, including a value after a CAS unique (tshark 4.0 omits it: a Wireshark bug)', () => {
    const f = feed(b('VALUE user:1 5 5 1\r\nhello\r\nVALUE user:2 0 3\r\nabc\r\nEND\r\n'), true);
    expect(values(f.tree, 'memcache.key')).toEqual(['user:1', 'user:2']);
    expect(values(f.tree, 'memcache.flags')).toEqual([5, 0]);
    expect(values(f.tree, 'memcache.value.length')).toEqual([5, 3]);
    expect(values(f.tree, 'memcache.cas')).toEqual([1n]);
    expect(values(f.tree, 'memcache.value')).toEqual(['hello', 'abc']);
    expect(f.pinfo.colInfo).toBe('VALUE user:1 5 5 1 ');
    expect(f.events).toEqual([{ kind: 'response', status: 'ok', rows: 2, final: true }]);
  });
  it('dissects STAT lines with slab classes and sub commands', () => {
    const f = feed(b('STAT pid 8837\r\nSTAT 1:chunk_size 96\r\nSTAT items:1:number 2\r\nEND\r\n'), true);
    expect(values(f.tree, 'memcache.command')).toEqual(['STAT', 'STAT', 'STAT']);
    expect(values(f.tree, 'memcache.name')).toEqual(['pid', 'chunk_size', 'number']);
    expect(values(f.tree, 'memcache.name_value')).toEqual(['8837', '96', '2']);
    expect(values(f.tree, 'memcache.slabclass')).toEqual([1, 1]);
    expect(values(f.tree, 'memcache.subcommand')).toEqual(['items']);
    expect(f.events).toHaveLength(1);
  });
  it('shows replies Wireshark does not know as Continuation, but still reports them', () => {
    const f = feed(b('STORED\r\nERROR\r\nCLIENT_ERROR bad data chunk\r\n15\r\nVERSION 1.6.18\r\nNOT_FOUND\r\nEND\r\n'), true);
    expect(values(f.tree, 'memcache.response')).toEqual(['STORED', 'NOT_FOUND', 'END']);
    expect(values(f.tree, 'memcache.version')).toEqual(['1.6.18']);
    expect(f.pinfo.colInfo).toContain('MEMCACHE Continuation');
    expect(f.events).toEqual([
      { kind: 'response', status: 'ok', final: true },
      { kind: 'response', status: 'error', errorCode: 'ERROR', errorMessage: 'ERROR', final: true },
      { kind: 'response', status: 'error', errorCode: 'CLIENT_ERROR', errorMessage: 'CLIENT_ERROR bad data chunk', final: true },
      { kind: 'response', status: 'ok', final: true },
      { kind: 'response', status: 'ok', final: true },
      { kind: 'response', status: 'ok', final: true },
      { kind: 'response', status: 'ok', rows: 0, final: true },
    ]);
  });
  it('decodes pipelined commands one by one (tshark 4.0 shows only the first of a segment)', () => {
    const f = feed(b('get a\r\nget user:1\r\n'), false);
    expect(values(f.tree, 'memcache.key')).toEqual(['a', 'user:1']);
    expect(f.events).toHaveLength(2);
  });
  it('gives no fields for a storage command whose byte count does not parse, as Wireshark', () => {
    const f = feed(b('set k 0 0 abc\r\n'), false);
    expect(f.tree.has('memcache.command')).toBe(false);
    expect(f.events).toHaveLength(1);
  });
});

describe('memcache binary', () => {
  it('frames by total body length', () => {
    const m = bin(0x80, 0x01, { key: 'bk', extras: [...u32(0xdeadbeef), ...u32(0)], value: 'hello', opaque: 1 });
    expect(memcacheDissector.pduLength(m, null, false)).toBe(m.length);
    expect(memcacheDissector.pduLength(m.subarray(0, 23), null, false)).toBe(NEED_MORE);
    expect(memcacheDissector.pduLength(m.subarray(0, m.length - 1), null, false)).toBe(NEED_MORE);
  });
  it('dissects a set request and its response', () => {
    const q = feed(bin(0x80, 0x01, { key: 'bk', extras: [...u32(0xdeadbeef), ...u32(60)], value: 'hello', opaque: 7 }), false);
    expect(values(q.tree, 'memcache.magic')).toEqual([128]);
    expect(values(q.tree, 'memcache.opcode')).toEqual([1]);
    expect(values(q.tree, 'memcache.extras.flags')).toEqual([0xdeadbeef]);
    expect(values(q.tree, 'memcache.extras.expiration')).toEqual([60]);
    expect(values(q.tree, 'memcache.key')).toEqual(['bk']);
    expect(values(q.tree, 'memcache.value')).toEqual(['hello']);
    expect(values(q.tree, 'memcache.value.length')).toEqual([5]);
    expect(values(q.tree, 'memcache.reserved')).toEqual([0]);
    expect(q.pinfo.colInfo).toBe('Set Request');
    expect(q.events).toEqual([{ kind: 'request', command: 'Set', statement: 'Set bk', key: 7 }]);
    const r = feed(bin(0x81, 0x01, { opaque: 7, cas: 11n }), true);
    expect(values(r.tree, 'memcache.status')).toEqual([0]);
    expect(values(r.tree, 'memcache.cas')).toEqual([11n]);
    expect(r.events).toEqual([{ kind: 'response', status: 'ok', final: true, key: 7 }]);
  });
  it('treats key-not-found as ok and other statuses as errors', () => {
    const miss = feed(bin(0x81, 0x00, { value: 'Not found', status: 1, opaque: 3 }), true);
    expect(values(miss.tree, 'memcache.value')).toEqual(['Not found']);
    expect(miss.pinfo.colInfo).toBe('Get Response (Key not found)');
    expect(miss.events).toEqual([{ kind: 'response', status: 'ok', final: true, key: 3, rows: 0 }]);
    const exists = feed(bin(0x81, 0x01, { value: 'Data exists for key.', status: 2, opaque: 4 }), true);
    expect(exists.events).toEqual([{ kind: 'response', status: 'error', final: true, key: 4, errorCode: '0x0002', errorMessage: 'Key exists: Data exists for key.' }]);
  });
  it('decodes incr extras and the 64-bit reply', () => {
    const q = feed(bin(0x80, 0x05, { key: 'c', extras: [...u64(5), ...u64(100), ...u32(0)] }), false);
    expect(values(q.tree, 'memcache.extras.delta')).toEqual([5n]);
    expect(values(q.tree, 'memcache.extras.initial')).toEqual([100n]);
    const r = feed(new Uint8Array([...bin(0x81, 0x05, { value: '\0\0\0\0\0\0\0\0' }).subarray(0, 24), 0, 0, 0, 0, 0, 0, 0, 105]), true);
    expect(values(r.tree, 'memcache.extras.response')).toEqual([105n]);
  });
  it('marks quiet opcodes as expecting no reply and ends a STAT series at the empty key', () => {
    const q = feed(new Uint8Array([...bin(0x80, 0x09, { key: 'k', opaque: 8 }), ...bin(0x80, 0x0a, { opaque: 9 })]), false);
    expect(q.events).toEqual([
      { kind: 'request', command: 'Get Quietly', statement: 'Get Quietly k', key: 8, expectsResponse: false },
      { kind: 'request', command: 'No-op', statement: 'No-op', key: 9 },
    ]);
    expect(q.pinfo.colInfo).toBe('No-op Request');
    const s = feed(new Uint8Array([...bin(0x81, 0x10, { key: 'pid', value: '1', opaque: 2 }), ...bin(0x81, 0x10, { opaque: 2 })]), true);
    expect(s.events.map((e) => (e as { final: boolean }).final)).toEqual([false, true]);
  });
  it('flags unknown opcodes and shows their extras as unknown', () => {
    const q = feed(bin(0x80, 0x1c, { key: 'bk', extras: u32(10), opaque: 19 }), false);
    expect(q.tree.has('memcache.opcode.unknown')).toBe(true);
    expect(Buffer.from(q.tree.first('memcache.extras.unknown')!.value as Uint8Array).toString('hex')).toBe('0000000a');
    expect(q.pinfo.colInfo).toBe('Unknown opcode (28) Request');
  });
});

describe('memcache probe', () => {
  it('accepts real memcached traffic', () => {
    expect(memcacheDissector.probe!(b('get user:1\r\n'), false)).toBe(true);
    expect(memcacheDissector.probe!(b('set k 0 0 5\r\nhello\r\n'), false)).toBe(true);
    expect(memcacheDissector.probe!(b('stats\r\n'), false)).toBe(true);
    expect(memcacheDissector.probe!(b('VALUE k 0 5\r\nhello\r\nEND\r\n'), true)).toBe(true);
    expect(memcacheDissector.probe!(b('STORED\r\n'), true)).toBe(true);
    expect(memcacheDissector.probe!(bin(0x80, 0x00, { key: 'k' }), false)).toBe(true);
    expect(memcacheDissector.probe!(bin(0x81, 0x00, { value: 'x', extras: u32(0) }), true)).toBe(true);
  });
  it('refuses other protocols and inconsistent headers', () => {
    expect(memcacheDissector.probe!(b('GET / HTTP/1.1\r\n\r\n'), false)).toBe(false);
    expect(memcacheDissector.probe!(b('set k x 0 5\r\n'), false)).toBe(false);
    expect(memcacheDissector.probe!(b('+OK\r\n'), true)).toBe(false);
    const bad = bin(0x80, 0x00, { key: 'k' });
    bad[4] = 200; // extras longer than the body
    expect(memcacheDissector.probe!(bad, false)).toBe(false);
    expect(memcacheDissector.probe!(bin(0x81, 0x00, {}), false)).toBe(false);
  });
});

describe('memcache robustness', () => {
  it('survives random mutations without exceptions other than BoundsError', () => {
    const seeds = [
      b('set user:1 5 0 5\r\nhello\r\nget a b\r\n'),
      b('VALUE a 0 1\r\nx\r\nEND\r\nSTAT 1:x 2\r\nEND\r\n'),
      bin(0x80, 0x05, { key: 'c', extras: [...u64(5), ...u64(100), ...u32(0)] }),
      bin(0x81, 0x00, { value: 'hello', extras: u32(1) }),
    ];
    let rnd = 777;
    const next = () => (rnd = (rnd * 1103515245 + 12345) & 0x7fffffff);
    const start = Date.now();
    for (let iter = 0; iter < 3000; iter++) {
      const m = seeds[iter % seeds.length]!.slice();
      for (let k = 0; k < 1 + (next() % 4); k++) m[next() % m.length] = next() & 0xff;
      const cut = m.subarray(0, next() % (m.length + 1));
      const fromServer = (iter & 1) === 1;
      try {
        feed(cut, fromServer);
        const tree = new PacketTree(cut);
        const tvb = new Tvb(cut);
        memcacheDissector.dissect(tvb, tree.protocol(null, MEMCACHE, tvb, 0, cut.length),
          { pinfo: newPacketInfo(1, 0, 0), tree, state: null, fromServer, emit: () => undefined });
        memcacheDissector.probe!(cut, fromServer);
        memcacheDissector.resync!(cut, null, fromServer);
      } catch (e) {
        expect(e).toBeInstanceOf(BoundsError);
      }
    }
    expect(Date.now() - start).toBeLessThan(20_000);
  });
});
