import { describe, expect, it } from 'vitest';
import { respDissector, type RespState } from '../../../electron/engine/decode/protocols/resp';
import { NEED_MORE } from '../../../electron/engine/decode/app';
import { PacketTree } from '../../../electron/engine/decode/tree';
import { Tvb, BoundsError } from '../../../electron/engine/decode/tvb';
import { newPacketInfo, type PacketInfo } from '../../../electron/engine/decode/packet-info';
import type { AppEvent } from '../../../electron/engine/analysis/events';
import { RESP } from '../../../shared/fields/resp';

const enc = new TextEncoder();
const b = (s: string) => enc.encode(s);
/** A command as redis-cli sends it: an array of bulk strings. */
const cmd = (...words: string[]) => b(`*${words.length}\r\n` + words.map((w) => `$${enc.encode(w).length}\r\n${w}\r\n`).join(''));

interface Frame { tree: PacketTree; pinfo: PacketInfo; events: AppEvent[]; lengths: number[] }

/** Feed one direction's bytes as the TCP driver would: split into messages, dissect each. */
function feed(state: RespState, bytes: Uint8Array, fromServer: boolean): Frame {
  const tree = new PacketTree(bytes);
  const pinfo = newPacketInfo(1, 0, 0);
  const events: AppEvent[] = [];
  const lengths: number[] = [];
  let off = 0;
  while (off < bytes.length) {
    const len = respDissector.pduLength(bytes.subarray(off), state, fromServer);
    if (len <= 0) break;
    lengths.push(len);
    const tvb = new Tvb(bytes.subarray(off, off + len), 0, off);
    const proto = tree.protocol(null, RESP, tvb, 0, len);
    respDissector.dissect(tvb, proto, { pinfo, tree, state, fromServer, emit: (e) => events.push(e) });
    off += len;
  }
  return { tree, pinfo, events, lengths };
}

const values = (t: PacketTree, name: string) => t.all(name).map((n) => n.value);
const hex = (u: unknown) => Buffer.from(u as Uint8Array).toString('hex');

describe('RESP framing', () => {
  it('finds the length of complete values and waits for incomplete ones', () => {
    const s = respDissector.newState();
    const m = cmd('SET', 'user:1', 'hello');
    expect(respDissector.pduLength(m, s, false)).toBe(m.length);
    for (let i = 0; i < m.length; i++) expect(respDissector.pduLength(m.subarray(0, i), respDissector.newState(), false)).toBe(NEED_MORE);
    expect(respDissector.pduLength(b('+OK\r\n+PONG\r\n'), s, true)).toBe(5);
    expect(respDissector.pduLength(b('$-1\r\n'), s, true)).toBe(5);
    expect(respDissector.pduLength(b('*-1\r\n'), s, true)).toBe(5);
    expect(respDissector.pduLength(b('*2\r\n*1\r\n:1\r\n$3\r\nabc\r\n:9\r\n'), s, true)).toBe(21);
    expect(respDissector.pduLength(b('%1\r\n+a\r\n:1\r\n'), s, true)).toBe(12);
  });

  it('resumes a scan when more bytes arrive, giving the same answer', () => {
    const s = respDissector.newState();
    const parts = ['*3\r\n', ':1\r\n:2', '\r\n:3\r', '\n'];
    let acc = '';
    const got: number[] = [];
    for (const p of parts) { acc += p; got.push(respDissector.pduLength(b(acc), s, true)); }
    expect(got).toEqual([0, 0, 0, 16]);
  });

  it('scans hostile nesting and huge counts iteratively without blowing up', () => {
    const deep = '*1\r\n'.repeat(100_000) + ':1\r\n';
    const s = respDissector.newState();
    // Beyond depth 30 headers count as one element each, as Wireshark treats them: so the value
    // closes after the 31st-level element and the rest are further top-level values.
    const n = respDissector.pduLength(b(deep), s, true);
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(deep.length);
    // A count no reassembly could ever complete is a (malformed) message of its own, not a stall.
    expect(respDissector.pduLength(b('*9223372036854775807\r\n:1\r\n'), respDissector.newState(), true)).toBe(22);
    expect(respDissector.pduLength(b('*99999999999999999999999\r\n'), respDissector.newState(), true)).toBe(26);
    // Below that bound a big count still waits for its elements.
    expect(respDissector.pduLength(b('*5000000\r\n:1\r\n'), respDissector.newState(), true)).toBe(NEED_MORE);
  });

  it('shows an impossible element count as a malformed header and goes on with the next message', () => {
    const f = feed(respDissector.newState(), b('*1000000000000000000000000000000000000\r\n*1\r\n$4\r\nPING\r\n'), false);
    expect(f.lengths).toEqual([40, 14]);
    expect(values(f.tree, 'resp.array.length')).toEqual([9223372036854775807n, 1n]);
    expect(f.tree.all('resp.malformed_length')).toHaveLength(1);
  });

  it('takes inline commands and unknown lines as one-line fragments', () => {
    const f = feed(respDissector.newState(), b('PING\r\nCLIENT REPLY OFF\r\n'), false);
    expect(f.lengths).toEqual([6, 18]);
    expect(f.tree.all('resp.fragment')).toHaveLength(2);
    expect(f.pinfo.colInfo).toBe('Request: [fragment] [fragment]');
  });
});

describe('RESP fields', () => {
  it('dissects a command array like Wireshark', () => {
    const f = feed(respDissector.newState(), cmd('SET', 'hello', 'there'), false);
    expect(values(f.tree, 'resp.array.length')).toEqual([3n]);
    expect(values(f.tree, 'resp.bulk_string.length')).toEqual([3, 5, 5]);
    expect(values(f.tree, 'resp.bulk_string.value').map(hex)).toEqual(['534554', '68656c6c6f', '7468657265']);
    expect(f.pinfo.colInfo).toBe('Request: SET hello there');
    expect(f.pinfo.colProtocol).toBe('RESP');
  });

  it('dissects RESP2 replies with Wireshark Info text', () => {
    const f = feed(respDissector.newState(), b('+OK\r\n-ERR unknown command\r\n:42\r\n$-1\r\n*2\r\n$1\r\na\r\n:-7\r\n$3\r\nbar\r\n'), true);
    expect(values(f.tree, 'resp.string')).toEqual(['OK']);
    expect(values(f.tree, 'resp.error')).toEqual(['ERR unknown command']);
    expect(values(f.tree, 'resp.integer')).toEqual([42n, -7n]);
    expect(values(f.tree, 'resp.bulk_string.length')).toEqual([-1, 1, 3]);
    expect(values(f.tree, 'resp.array.length')).toEqual([2n]);
    expect(f.pinfo.colInfo).toBe('Response: OK Error: ERR unknown command 42 Array(2) bar');
  });

  it('dissects RESP3 types with the newer Wireshark field names', () => {
    const bytes = b('_\r\n#t\r\n,3.25\r\n(12345678901234567890\r\n=15\r\ntxt:Some string\r\n%1\r\n+k\r\n~2\r\n:1\r\n:2\r\n>2\r\n+a\r\n+b\r\n!9\r\nERR oops!\r\n');
    const f = feed(respDissector.newState(), bytes, true);
    expect(f.tree.all('resp.null')).toHaveLength(1);
    expect(values(f.tree, 'resp.boolean')).toEqual([true]);
    expect(values(f.tree, 'resp.double')).toEqual([3.25]);
    expect(values(f.tree, 'resp.big_number')).toEqual(['12345678901234567890']);
    expect(values(f.tree, 'resp.verbatim_string.encoding')).toEqual(['txt']);
    expect(hex(values(f.tree, 'resp.verbatim_string.value')[0])).toBe(Buffer.from('Some string').toString('hex'));
    expect(values(f.tree, 'resp.map.length')).toEqual([1n]);
    expect(values(f.tree, 'resp.set.length')).toEqual([2n]);
    expect(values(f.tree, 'resp.push.length')).toEqual([2n]);
    expect(values(f.tree, 'resp.bulk_string.length')).toEqual([9]);
    expect(f.pinfo.colInfo).toContain('Null Boolean(True) Double(3.250000)');
    expect(f.lengths.length).toBe(8); // the set is the map entry's value
  });

  it('keeps Wireshark quirks: non-numeric lengths parse as 0 and negative lengths are flagged', () => {
    const f = feed(respDissector.newState(), b('$abc\r\nXY*-5\r\n'), true);
    expect(values(f.tree, 'resp.bulk_string.length')).toEqual([0]);
    expect(f.lengths).toEqual([8, 5]);
    expect(values(f.tree, 'resp.array.length')).toEqual([-5n]);
    expect(f.tree.all('resp.malformed_length')).toHaveLength(1);
  });

  it('stops nesting at depth 30 and shows deeper elements as siblings', () => {
    const deep = '*1\r\n'.repeat(40) + ':5\r\n';
    const s = respDissector.newState();
    const f = feed(s, b(deep), true);
    expect(f.tree.all('resp.array_recursion_too_deep')).toHaveLength(1);
    expect(values(f.tree, 'resp.array.length')).toHaveLength(40);
    expect(values(f.tree, 'resp.integer')).toEqual([5n]);
  });
});

describe('RESP events', () => {
  it('pairs commands and replies, with error codes', () => {
    const s = respDissector.newState();
    const req = feed(s, new Uint8Array([...cmd('GET', 'k'), ...cmd('LPUSH', 'k', 'v'), ...cmd('HGETALL', 'h')]), false);
    expect(req.events).toEqual([
      { kind: 'request', command: 'GET', statement: 'GET k', expectsResponse: true },
      { kind: 'request', command: 'LPUSH', statement: 'LPUSH k v', expectsResponse: true },
      { kind: 'request', command: 'HGETALL', statement: 'HGETALL h', expectsResponse: true },
    ]);
    const res = feed(s, b('$-1\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n'), true);
    expect(res.events).toEqual([
      { kind: 'response', status: 'ok', final: true },
      { kind: 'response', status: 'error', errorCode: 'WRONGTYPE', errorMessage: 'WRONGTYPE Operation against a key holding the wrong kind of value', final: true },
      { kind: 'response', status: 'ok', final: true, rows: 2 },
    ]);
  });

  it('truncates long arguments in the statement', () => {
    const s = respDissector.newState();
    const big = 'x'.repeat(5000);
    const f = feed(s, cmd('SET', 'k', big), false);
    const e = f.events[0] as { statement: string };
    expect(e.statement.startsWith('SET k ' + 'x'.repeat(200) + '…(5000 bytes)')).toBe(true);
  });

  it('marks commands under CLIENT REPLY OFF/SKIP as expecting no reply', () => {
    const s = respDissector.newState();
    const f = feed(s, b('PING\r\nCLIENT REPLY OFF\r\nPING\r\nCLIENT REPLY ON\r\nPING\r\nCLIENT REPLY SKIP\r\nPING\r\nPING\r\n'), false);
    expect(f.events.map((e) => (e as { expectsResponse: boolean }).expectsResponse)).toEqual([true, false, false, true, true, false, false, true]);
    const g = feed(respDissector.newState(), b('PING\r\nCLIENT REPLY OFF\r\nPING\r\nCLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\nPING\r\nPING\r\n'), false);
    expect(g.events.map((e) => (e as { expectsResponse: boolean }).expectsResponse)).toEqual([true, false, false, false, true, true, true]);
  });

  it('does not pair pub/sub messages and RESP3 pushes with requests', () => {
    const s = respDissector.newState();
    const req = feed(s, cmd('SUBSCRIBE', 'a', 'b'), false);
    expect(req.events).toHaveLength(1);
    const res = feed(s, b('*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nhi\r\n>3\r\n$7\r\nmessage\r\n$1\r\nb\r\n$2\r\nyo\r\n'), true);
    expect(res.events).toEqual([
      { kind: 'response', status: 'ok', final: false },
      { kind: 'response', status: 'ok', final: true },
    ]);
    // A capture that starts mid-subscription still recognises message arrays.
    const late = feed(respDissector.newState(), b('*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nhi\r\n'), true);
    expect(late.events).toEqual([]);
  });
});

describe('RESP probe', () => {
  it('accepts real client commands and server replies', () => {
    expect(respDissector.probe!(cmd('PING'), false)).toBe(true);
    expect(respDissector.probe!(cmd('SET', 'k', 'v'), false)).toBe(true);
    expect(respDissector.probe!(b('+OK\r\n'), true)).toBe(true);
    expect(respDissector.probe!(b('-ERR unknown command\r\n'), true)).toBe(true);
    expect(respDissector.probe!(b('$3\r\nabc\r\n'), true)).toBe(true);
    expect(respDissector.probe!(b(':12\r\n'), true)).toBe(true);
  });
  it('refuses other protocols', () => {
    expect(respDissector.probe!(b('+OK POP3 server ready\r\n'), true)).toBe(false);
    expect(respDissector.probe!(b('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), false)).toBe(false);
    expect(respDissector.probe!(b('*1\r\n$4\r\n\x00\x01\x02\x03\r\n'), false)).toBe(false);
    expect(respDissector.probe!(new Uint8Array([0x4a, 0, 0, 0, 0x0a, 0x35]), true)).toBe(false);
    expect(respDissector.probe!(b('220 smtp ready\r\n'), true)).toBe(false);
  });
});

describe('RESP robustness', () => {
  it('survives random mutations without exceptions other than BoundsError', () => {
    const seeds = [
      cmd('SET', 'user:1', 'hello'),
      b('*2\r\n*1\r\n:1\r\n$3\r\nabc\r\n%1\r\n+k\r\n~1\r\n#t\r\n=5\r\ntxt:x\r\n'),
      b('+OK\r\n-ERR x\r\n:1\r\n$-1\r\n*-1\r\n_\r\n,1.5\r\n(1\r\n'),
    ];
    let rnd = 12345;
    const next = () => (rnd = (rnd * 1103515245 + 12345) & 0x7fffffff);
    const start = Date.now();
    for (let iter = 0; iter < 3000; iter++) {
      const seed = seeds[iter % seeds.length]!;
      const m = seed.slice();
      for (let k = 0; k < 1 + (next() % 4); k++) m[next() % m.length] = next() & 0xff;
      const cut = m.subarray(0, next() % (m.length + 1));
      const s = respDissector.newState();
      const fromServer = (iter & 1) === 1;
      try {
        feed(s, cut, fromServer);
        // dissect on bytes the framing did not vouch for must still only fail with BoundsError
        const tree = new PacketTree(cut);
        respDissector.dissect(new Tvb(cut), tree.protocol(null, RESP, new Tvb(cut), 0, cut.length),
          { pinfo: newPacketInfo(1, 0, 0), tree, state: s, fromServer, emit: () => undefined });
        respDissector.probe!(cut, fromServer);
        respDissector.resync!(cut, s, fromServer);
      } catch (e) {
        expect(e).toBeInstanceOf(BoundsError);
      }
    }
    expect(Date.now() - start).toBeLessThan(20_000);
  });
});
