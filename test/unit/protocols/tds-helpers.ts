/** Builders for TDS test messages (per MS-TDS) and a tiny driver that feeds them to the decoder. */
import type { AppEvent } from '../../../electron/engine/analysis/events';
import { newPacketInfo, type PacketInfo } from '../../../electron/engine/decode/packet-info';
import { tdsDissector } from '../../../electron/engine/decode/protocols/tds';
import type { TdsState } from '../../../electron/engine/decode/protocols/tds/state';
import { PacketTree } from '../../../electron/engine/decode/tree';
import { BoundsError, Tvb } from '../../../electron/engine/decode/tvb';
import { TDS } from '../../../shared/fields/tds';

export const u16le = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
export const u16be = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
export const u32le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
export const u32be = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
export const u64le = (v: number): number[] => [...u32le(v >>> 0), ...u32le(Math.floor(v / 2 ** 32))];
export const ucs2 = (s: string): number[] => [...Buffer.from(s, 'utf16le')];
export const ascii = (s: string): number[] => [...Buffer.from(s, 'latin1')];
/** B_VARCHAR: character count then UTF-16LE. */
export const bvarchar = (s: string): number[] => [s.length, ...ucs2(s)];
/** US_VARCHAR: 2-byte character count then UTF-16LE. */
export const usvarchar = (s: string): number[] => [...u16le(s.length), ...ucs2(s)];

/** One TDS packet: 8-byte header (big-endian length) + payload. */
export function packet(type: number, payload: number[], opts: { status?: number; channel?: number; packet?: number } = {}): Uint8Array {
  const len = payload.length + 8;
  return Uint8Array.from([type, opts.status ?? 1, ...u16be(len), ...u16be(opts.channel ?? 0), opts.packet ?? 1, 0, ...payload]);
}

/** PRELOGIN option table: [token, data] pairs, offsets computed. */
export function prelogin(options: [number, number[]][]): number[] {
  const tableLen = options.length * 5 + 1;
  const table: number[] = [];
  const data: number[] = [];
  for (const [tok, bytes] of options) {
    table.push(tok, ...u16be(tableLen + data.length), ...u16be(bytes.length));
    data.push(...bytes);
  }
  return [...table, 0xff, ...data];
}

/** LOGIN7 with the given strings (password obfuscated as on the wire). */
export function login7(o: { host?: string; user?: string; password?: string; app?: string; server?: string; library?: string; language?: string; database?: string; version?: number }): number[] {
  const strings = [o.host ?? 'client1', o.user ?? '', o.password ?? '', o.app ?? '', o.server ?? '', '', o.library ?? 'ODBC', o.language ?? '', o.database ?? ''];
  const fixedLen = 36 + 9 * 4 + 6 + 4 * 4; // header, 9 offset/length pairs, client ID, SSPI/attach/change-password/long-SSPI
  const table: number[] = [];
  const data: number[] = [];
  strings.forEach((s, i) => {
    let bytes = ucs2(s);
    if (i === 2) bytes = bytes.map((b) => { const sw = ((b & 0x0f) << 4) | ((b & 0xf0) >> 4); return sw ^ 0xa5; });
    table.push(...u16le(fixedLen + data.length), ...u16le(s.length));
    data.push(...bytes);
  });
  const rest = [1, 2, 3, 4, 5, 6, ...u16le(fixedLen + data.length), ...u16le(0), ...u16le(fixedLen + data.length), ...u16le(0), ...u16le(0), ...u16le(0), ...u32le(0)];
  const total = fixedLen + data.length;
  const header = [...u32le(total), ...u32le(o.version ?? 0x74000004), ...u32le(4096), ...u32be(0x07000000), ...u32le(1234), ...u32le(0),
    0xe0, 0x03, 0x00, 0x00, ...u32le(0), ...u32le(0x0409)];
  return [...header, ...table, ...rest, ...data];
}

/** ALL_HEADERS with a transaction descriptor header. */
export const allHeaders = (): number[] => [...u32le(22), ...u32le(18), ...u16le(2), ...u64le(0), ...u32le(1)];

export function done(token: 0xfd | 0xfe | 0xff, status: number, curcmd: number, rows: number, wide = true): number[] {
  return [token, ...u16le(status), ...u16le(curcmd), ...(wide ? u64le(rows) : u32le(rows))];
}

export function errorToken(number: number, cls: number, msg: string, server = 'SRV', proc = '', line = 1, token = 0xaa): number[] {
  const body = [...u32le(number), 1, cls, ...usvarchar(msg), ...bvarchar(server), ...bvarchar(proc), ...u32le(line)];
  return [token, ...u16le(body.length), ...body];
}

export function envchange(type: number, nv: string, ov: string): number[] {
  const body = [type, ...bvarchar(nv), ...bvarchar(ov)];
  return [0xe3, ...u16le(body.length), ...body];
}

export function loginAck(version = 0x74000004, prog = 'Microsoft SQL Server'): number[] {
  const body = [1, ...u32be(version), ...bvarchar(prog), ...u32be(0x0f0007d0)];
  return [0xad, ...u16le(body.length), ...body];
}

export interface Run {
  tree: PacketTree;
  pinfo: PacketInfo;
  events: AppEvent[];
  malformed: boolean;
}

/** Feed one direction's bytes (possibly several PDUs) through pduLength + dissect, as the TCP driver does. */
export function feed(state: TdsState, bytes: Uint8Array, fromServer: boolean, num = 1): Run {
  const tree = new PacketTree(bytes);
  const pinfo = newPacketInfo(num, 0, 0);
  const events: AppEvent[] = [];
  let malformed = false;
  let pos = 0;
  while (pos < bytes.length) {
    const n = tdsDissector.pduLength(bytes.subarray(pos), state, fromServer);
    if (n <= 0 || pos + n > bytes.length) break;
    const tvb = new Tvb(bytes.subarray(pos, pos + n), 0, pos);
    const proto = tree.protocol(null, TDS, tvb, 0, n);
    try {
      tdsDissector.dissect(tvb, proto, { pinfo, tree, state, fromServer, emit: (e) => events.push(e) });
    } catch (e) {
      if (!(e instanceof BoundsError)) throw e;
      tree.malformed(proto, 'TDS', (e as Error).message);
      malformed = true;
    }
    pos += n;
  }
  return { tree, pinfo, events, malformed };
}

export const values = (r: Run, name: string): unknown[] => r.tree.all(name).map((n) => n.value);
export const bytes = (...parts: (number[] | Uint8Array)[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));
