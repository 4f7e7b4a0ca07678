/**
 * Test helpers for the PostgreSQL decoder: build wire messages by hand, and play a conversation
 * through pduLength/dissect the way the TCP driver does (messages spanning segments dissected in
 * the frame that completes them, in a reassembled data source).
 */
import { PGSQL } from '../../../shared/fields/pgsql';
import type { AppEvent } from '../../../electron/engine/analysis/events';
import { NEED_MORE, NOT_A_PDU } from '../../../electron/engine/decode/app';
import { newPacketInfo, type PacketInfo } from '../../../electron/engine/decode/packet-info';
import { pgsqlDissector, type PgsqlState } from '../../../electron/engine/decode/protocols/pgsql';
import { PacketTree, type ProtoNode } from '../../../electron/engine/decode/tree';
import { BoundsError, Tvb } from '../../../electron/engine/decode/tvb';

const enc = new TextEncoder();

export function cat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const arrs = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrs.reduce((n, a) => n + a.length, 0));
  let off = 0;
  for (const a of arrs) {
    out.set(a, off);
    off += a.length;
  }
  return out;
}
export const cstr = (s: string): Uint8Array => cat(enc.encode(s), [0]);
export const str = (s: string): Uint8Array => enc.encode(s);
export const i16 = (v: number): Uint8Array => Uint8Array.from([(v >> 8) & 255, v & 255]);
export const i32 = (v: number): Uint8Array => Uint8Array.from([(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]);

/** A typed message: type byte, length (counting itself), body. */
export function msg(type: string, ...body: Uint8Array[]): Uint8Array {
  const b = cat(...body);
  return cat(str(type), i32(b.length + 4), b);
}

export function startup(params: Record<string, string>, version = 196608): Uint8Array {
  const body = cat(i32(version), ...Object.entries(params).flatMap(([k, v]) => [cstr(k), cstr(v)]), [0]);
  return cat(i32(body.length + 4), body);
}
export const sslRequest = (): Uint8Array => cat(i32(8), i32(80877103));
export const gssencRequest = (): Uint8Array => cat(i32(8), i32(80877104));
export const cancelRequest = (pid: number, key: number): Uint8Array => cat(i32(16), i32(80877102), i32(pid), i32(key));

export const authOk = (): Uint8Array => msg('R', i32(0));
export const readyForQuery = (status = 'I'): Uint8Array => msg('Z', str(status));
export const commandComplete = (tag: string): Uint8Array => msg('C', cstr(tag));
export const query = (q: string): Uint8Array => msg('Q', cstr(q));
export const parse = (name: string, q: string, oids: number[] = []): Uint8Array => msg('P', cstr(name), cstr(q), i16(oids.length), ...oids.map(i32));
export function bind(portal: string, stmt: string, values: (string | null)[], formats: number[] = []): Uint8Array {
  return msg('B', cstr(portal), cstr(stmt), i16(formats.length), ...formats.map(i16), i16(values.length),
    ...values.map((v) => (v === null ? i32(-1) : cat(i32(enc.encode(v).length), str(v)))), i16(0));
}
export const describe = (kind: 'S' | 'P', name: string): Uint8Array => msg('D', str(kind), cstr(name));
export const execute = (portal: string, max = 0): Uint8Array => msg('E', cstr(portal), i32(max));
export const sync = (): Uint8Array => msg('S');
export function rowDescription(cols: string[]): Uint8Array {
  return msg('T', i16(cols.length), ...cols.map((c, i) => cat(cstr(c), i32(16384), i16(i + 1), i32(23), i16(4), i32(-1), i16(0))));
}
export function dataRow(vals: (string | null)[]): Uint8Array {
  return msg('D', i16(vals.length), ...vals.map((v) => (v === null ? i32(-1) : cat(i32(enc.encode(v).length), str(v)))));
}
export function errorResponse(fields: Record<string, string>, type = 'E'): Uint8Array {
  return msg(type, ...Object.entries(fields).map(([k, v]) => cat(str(k), cstr(v))), Uint8Array.from([0]));
}

export interface FrameResult {
  readonly tree: PacketTree;
  readonly pinfo: PacketInfo;
  readonly messages: ProtoNode[];
  readonly events: AppEvent[];
  /** Errors other than BoundsError (must never happen). */
  readonly crashes: unknown[];
}

/** One connection played message by message, frame by frame. */
export class Conversation {
  readonly state: PgsqlState = pgsqlDissector.newState();
  readonly events: AppEvent[] = [];
  private frame = 0;
  private readonly pending = { client: new Uint8Array(0), server: new Uint8Array(0) };
  /** Frame where the pending bytes of each direction began. */
  private readonly pendingFrom = { client: 0, server: 0 };

  client(...parts: Uint8Array[]): FrameResult { return this.send(false, cat(...parts)); }
  server(...parts: Uint8Array[]): FrameResult { return this.send(true, cat(...parts)); }

  send(fromServer: boolean, bytes: Uint8Array): FrameResult {
    return this.play(++this.frame, fromServer, bytes);
  }

  /** Dissect one earlier frame again (random access after the first pass), whole messages only. */
  redissect(frame: number, fromServer: boolean, bytes: Uint8Array): FrameResult {
    const dir = fromServer ? 'server' : 'client';
    const saved = this.pending[dir];
    this.pending[dir] = new Uint8Array(0);
    const events = this.events.length;
    try {
      return this.play(frame, fromServer, bytes);
    } finally {
      this.pending[dir] = saved;
      this.events.length = events;
    }
  }

  private play(num: number, fromServer: boolean, bytes: Uint8Array): FrameResult {
    const dir = fromServer ? 'server' : 'client';
    const pinfo = newPacketInfo(num, 0, 0);
    pinfo.srcPort = fromServer ? 5432 : 40000;
    pinfo.dstPort = fromServer ? 40000 : 5432;
    const tree = new PacketTree(bytes);
    const messages: ProtoNode[] = [];
    const events: AppEvent[] = [];
    const crashes: unknown[] = [];
    let buf = cat(this.pending[dir], bytes);
    let carried = this.pending[dir].length; // bytes from earlier frames at the front of buf
    if (carried === 0) this.pendingFrom[dir] = num;
    let frameOff = -carried; // offset of buf[0] within this frame's bytes
    for (let guard = 0; guard < 100000 && buf.length > 0; guard++) {
      let n: number;
      try {
        n = pgsqlDissector.pduLength(buf, this.state, fromServer);
      } catch (e) {
        crashes.push(e);
        break;
      }
      if (n === NEED_MORE || n === NOT_A_PDU || n > buf.length) break;
      const m = buf.subarray(0, n);
      const tvb = carried > 0
        ? new Tvb(m, tree.addDataSource('Reassembled PGSQL', m.slice()), 0)
        : new Tvb(bytes.subarray(frameOff, frameOff + n), 0, frameOff);
      const node = tree.protocol(null, PGSQL, tvb, 0, n);
      messages.push(node);
      try {
        pgsqlDissector.dissect(tvb, node, {
          pinfo, tree, state: this.state, fromServer,
          emit: (e) => { events.push(e); this.events.push(e); },
        });
      } catch (e) {
        if (e instanceof BoundsError) tree.malformed(node, 'PGSQL', e.message);
        else crashes.push(e);
      }
      buf = buf.subarray(n);
      frameOff += n;
      carried = Math.max(0, carried - n);
    }
    this.pending[dir] = buf.slice();
    return { tree, pinfo, messages, events, crashes };
  }
}

/** `-e FIELD` values of a frame, as strings. */
export function values(r: FrameResult, field: string): unknown[] {
  return r.tree.all(field).map((n) => n.value);
}
