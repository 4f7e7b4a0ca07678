import { describe, expect, it } from 'vitest';
import { copyCodeUnits } from '../../../electron/engine/code-units';

describe('copyCodeUnits', () => {
  it('copies ASCII as its UTF-8 bytes, at the offset given', () => {
    const out = new Uint8Array(8).fill(0xee);
    expect(copyCodeUnits('SELECT', out, 1, 0x80)).toBe(true);
    expect(Buffer.from(out.subarray(1, 7)).toString('utf8')).toBe('SELECT');
    expect(out[0]).toBe(0xee);
    expect(out[7]).toBe(0xee);
  });

  it('stops at the first unit at or past the limit', () => {
    const out = new Uint8Array(8);
    expect(copyCodeUnits('caf\u00e9', out, 0, 0x80)).toBe(false);
    expect(copyCodeUnits('caf\u00e9', out, 0, 0x100)).toBe(true);
    expect([...out.subarray(0, 4)]).toEqual([0x63, 0x61, 0x66, 0xe9]);
    expect(copyCodeUnits('\u20ac1', out, 0, 0x100)).toBe(false);
    expect(copyCodeUnits('\ud83d\ude00', out, 0, 0x100)).toBe(false);
  });

  it('takes a string built by concatenation as it takes a flat one', () => {
    let s = '';
    for (let i = 0; i < 50; i++) s += String.fromCharCode(0x20 + (i % 90));
    const out = new Uint8Array(50);
    expect(copyCodeUnits(s, out, 0, 0x80)).toBe(true);
    expect(Buffer.from(out).toString('latin1')).toBe(s);
  });
});
