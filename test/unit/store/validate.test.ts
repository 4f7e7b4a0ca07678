import { describe, expect, it } from 'vitest';
import {
  ApiInputError, MAX_PAGE_ROWS, checkAbsolutePath, checkCaptureRequest, checkExportRequest, checkFilterText, checkFrameNumber,
  checkSessionId, checkUint,
} from '../../../shared/api/validate';

describe('API input validation', () => {
  it('checks counts and numbers', () => {
    expect(checkUint('count', 10, MAX_PAGE_ROWS)).toBe(10);
    expect(() => checkUint('count', -1)).toThrow(/count: expected a non-negative integer, got number -1/);
    expect(() => checkUint('count', 1.5)).toThrow(ApiInputError);
    expect(() => checkUint('count', '3')).toThrow(/got "3"/);
    expect(() => checkUint('count', MAX_PAGE_ROWS + 1, MAX_PAGE_ROWS)).toThrow(/more than the maximum/);
    expect(() => checkUint('count', Number.NaN)).toThrow(ApiInputError);
    expect(() => checkFrameNumber('num', 0)).toThrow(/frame number/);
    expect(checkFrameNumber('num', 7)).toBe(7);
  });

  it('checks session ids and filters', () => {
    expect(() => checkSessionId('')).toThrow(/session/);
    expect(() => checkSessionId(42)).toThrow(/session/);
    expect(checkSessionId('s-1')).toBe('s-1');
    expect(() => checkFilterText(null)).toThrow(/filter/);
    expect(() => checkFilterText('x'.repeat(70_000))).toThrow(/maximum/);
  });

  it('wants absolute paths without NUL', () => {
    expect(checkAbsolutePath('path', '/tmp/a.pcap')).toBe('/tmp/a.pcap');
    expect(checkAbsolutePath('path', 'C:\\caps\\a.pcap')).toBe('C:\\caps\\a.pcap');
    expect(() => checkAbsolutePath('path', 'a.pcap')).toThrow(/not an absolute path/);
    expect(() => checkAbsolutePath('path', '/tmp/a\0b')).toThrow(/NUL/);
    expect(() => checkAbsolutePath('path', 5)).toThrow(/absolute file path/);
  });

  it('checks export requests field by field', () => {
    expect(checkExportRequest({ what: { kind: 'frames', frames: [3, 1] }, format: 'pcap', path: '/tmp/x.pcap' }))
      .toEqual({ what: { kind: 'frames', frames: [3, 1] }, format: 'pcap', path: '/tmp/x.pcap' });
    expect(() => checkExportRequest({ what: { kind: 'displayed' }, format: 'erf', path: '/tmp/x' })).toThrow(/format/);
    expect(() => checkExportRequest({ what: { kind: 'frames', frames: [0] }, format: 'pcap', path: '/tmp/x' })).toThrow(/frames\[0\]/);
    expect(() => checkExportRequest({ what: { kind: 'stream', stream: -2 }, format: 'pcap', path: '/tmp/x' })).toThrow(/stream/);
    expect(() => checkExportRequest({ what: { kind: 'all' }, format: 'pcap', path: '/tmp/x' })).toThrow(/what.kind/);
    expect(() => checkExportRequest({ what: { kind: 'displayed' }, format: 'pcap', path: 'rel.pcap' })).toThrow(/absolute/);
    expect(() => checkExportRequest({ what: { kind: 'displayed' }, format: 'pcap', path: '/x', extra: 1 })).toThrow(/unknown field "extra"/);
  });

  it('checks capture requests', () => {
    expect(checkCaptureRequest({ iface: 'lo', stop: { packets: 10 } })).toEqual({ iface: 'lo', stop: { packets: 10 } });
    expect(() => checkCaptureRequest({ iface: '' })).toThrow(/iface/);
    expect(() => checkCaptureRequest({ iface: 'lo', backend: 'pcapd' })).toThrow(/backend/);
    expect(() => checkCaptureRequest({ iface: 'lo', stop: { seconds: -1 } })).toThrow(/stop.seconds/);
  });
});
