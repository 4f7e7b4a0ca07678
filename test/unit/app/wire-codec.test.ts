import { describe, expect, it } from 'vitest';
import { FRAME_MAGIC, decodeFrame, encodeFrame } from '../../../shared/api/wire-codec';
import type { WireMessage } from '../../../shared/api/wire';

describe('wire codec (WebSocket frames)', () => {
  it('sends a message without bytes as a JSON text frame', () => {
    const msg: WireMessage = { t: 'req', id: 7, method: 'rows', args: ['s1', 0, 100] };
    const frame = encodeFrame(msg);
    expect(typeof frame).toBe('string');
    expect(decodeFrame(frame)).toEqual(msg);
  });

  it('carries ArrayBuffers and Uint8Arrays as binary blobs, not numbers in JSON', () => {
    const page = new Uint8Array([1, 2, 3, 250, 0, 7]).buffer;
    const bytes = new Uint8Array([0xde, 0xad, 0xbe, 0xef]);
    const msg: WireMessage = {
      t: 'res', id: 3, ok: true,
      value: { session: 's', buffer: page, dataSources: [{ name: 'Frame (4 bytes)', bytes }], empty: new Uint8Array(0) },
    };
    const frame = encodeFrame(msg);
    expect(frame).toBeInstanceOf(ArrayBuffer);
    const json = new TextDecoder().decode(new Uint8Array(frame as ArrayBuffer, 8, new DataView(frame as ArrayBuffer).getUint32(4, true)));
    expect(json).not.toContain('222'); // 0xde would appear as a number if bytes went through JSON
    const back = decodeFrame(frame) as Extract<WireMessage, { t: 'res'; ok: true }>;
    const v = back.value as { buffer: ArrayBuffer; dataSources: { bytes: Uint8Array }[]; empty: Uint8Array };
    expect(v.buffer).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(v.buffer)]).toEqual([1, 2, 3, 250, 0, 7]);
    expect(v.dataSources[0]!.bytes).toBeInstanceOf(Uint8Array);
    expect([...v.dataSources[0]!.bytes]).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(v.empty.length).toBe(0);
  });

  it('keeps bigint and non-finite numbers, which JSON loses', () => {
    const msg: WireMessage = { t: 'res', id: 1, ok: true, value: { big: 12345678901234567890n, neg: -5n, nan: NaN, inf: -Infinity, n: 1.5 } };
    const back = decodeFrame(encodeFrame(msg)) as Extract<WireMessage, { t: 'res'; ok: true }>;
    expect(back.value).toEqual({ big: 12345678901234567890n, neg: -5n, nan: NaN, inf: -Infinity, n: 1.5 });
  });

  it('drops undefined properties the way structured clone of an absent field would read', () => {
    const back = decodeFrame(encodeFrame({ t: 'res', id: 1, ok: true, value: { a: undefined, b: 1 } }));
    expect(back).toEqual({ t: 'res', id: 1, ok: true, value: { b: 1 } });
  });

  it('refuses malformed frames with an error instead of misreading them', () => {
    const good = encodeFrame({ t: 'res', id: 1, ok: true, value: new Uint8Array([1, 2, 3]) }) as ArrayBuffer;
    const u8 = new Uint8Array(good);
    expect(() => decodeFrame(u8.slice(0, u8.length - 1))).toThrow(/truncated/);
    expect(() => decodeFrame(new Uint8Array([...u8, 0]))).toThrow(/trailing/);
    const badMagic = u8.slice();
    badMagic[0] ^= 0xff;
    expect(() => decodeFrame(badMagic)).toThrow(/not a dbwire frame/);
    // A huge blob count in a tiny frame: refused before any loop or allocation.
    const hostile = new ArrayBuffer(8 + 2 + 4);
    const v = new DataView(hostile);
    v.setUint32(0, FRAME_MAGIC, true);
    v.setUint32(4, 2, true);
    new Uint8Array(hostile).set([0x7b, 0x7d], 8);
    v.setUint32(10, 0xffffffff, true);
    expect(() => decodeFrame(hostile)).toThrow(/truncated/);
    expect(() => decodeFrame('{"t":"nope"}')).toThrow(/not a wire message/);
    expect(() => decodeFrame('{"t":"res","id":1,"ok":true,"value":{"\\u0000":["u8",5]}}')).toThrow(/bad u8 tag/);
    expect(() => decodeFrame('not json')).toThrow();
  });

  it('refuses cyclic values and views other than Uint8Array', () => {
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    expect(() => encodeFrame({ t: 'res', id: 1, ok: true, value: cyc })).toThrow(/cyclic/);
    expect(() => encodeFrame({ t: 'res', id: 1, ok: true, value: new Uint16Array(2) })).toThrow(/Uint8Array/);
  });
});
