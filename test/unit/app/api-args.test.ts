import { describe, expect, it } from 'vitest';
import { API_ARGS, checkApiArgs, isApiMethod } from '../../../electron/host/api-args';
import { API_METHODS } from '../../../shared/api/types';

describe('API argument checks at the engine boundary', () => {
  it('describes every API method', () => {
    expect(Object.keys(API_ARGS).sort()).toEqual([...API_METHODS].sort());
  });

  it('accepts well-formed calls', () => {
    expect(checkApiArgs('openFile', ['/tmp/a.pcap'])).toBeNull();
    expect(checkApiArgs('rows', ['s1', 0, 500])).toBeNull();
    expect(checkApiArgs('setFilter', ['s1', ''])).toBeNull();
    expect(checkApiArgs('interfaces', [])).toBeNull();
    expect(checkApiArgs('exportPackets', ['s1', { what: { kind: 'frames', frames: [1, 2] }, format: 'pcap', path: '/tmp/x.pcap' }])).toBeNull();
    expect(checkApiArgs('exportPackets', ['s1', { what: { kind: 'stream', stream: 0 }, format: 'pcapng', path: '/tmp/x' }])).toBeNull();
    expect(checkApiArgs('startCapture', [{ iface: 'lo', filter: 'tcp port 3306', backend: 'tcpdump', bufferMiB: 8, stop: { packets: 10 } }])).toBeNull();
  });

  it.each([
    ['openFile', [], /takes 1/],
    ['openFile', [42], /path: expected an absolute file path/],
    ['openFile', ['relative.pcap'], /not an absolute path/],
    ['openFile', ['/a\0b'], /NUL/],
    ['openFile', ['/a', '/b'], /takes 1/],
    ['rows', ['s1', -1, 10], /start/],
    ['rows', ['s1', 0, 1.5], /count/],
    ['rows', ['s1', 0, 1e9], /count: .* maximum/],
    ['packet', ['', 1], /session/],
    ['packet', ['s1', 0], /num: expected a frame number/],
    ['setFilter', ['s1', 'x'.repeat(70000)], /filter/],
    ['exportPackets', ['s1', { what: { kind: 'all' }, format: 'pcap', path: '/x' }], /what.kind/],
    ['exportPackets', ['s1', { what: { kind: 'displayed' }, format: 'json', path: '/x' }], /format/],
    ['exportPackets', ['s1', { what: { kind: 'frames', frames: [0] }, format: 'pcap', path: '/x' }], /frames\[0\]/],
    ['exportPackets', ['s1', { what: { kind: 'displayed' }, format: 'pcap', path: '/x', extra: 1 }], /unknown field "extra"/],
    ['startCapture', [{ iface: 'lo', backend: 'ssh' }], /backend/],
    ['startCapture', [{ iface: 'lo', stop: { hours: 1 } }], /unknown field "hours"/],
    ['startCapture', [{ iface: '' }], /iface/],
  ] as const)('refuses %s(%j)', (method, args, why) => {
    expect(checkApiArgs(method, args)).toMatch(why);
  });

  it('knows the method names and nothing else', () => {
    expect(isApiMethod('rows')).toBe(true);
    expect(isApiMethod('onEvent')).toBe(false);
    expect(isApiMethod('constructor')).toBe(false);
    expect(isApiMethod('__proto__')).toBe(false);
  });
});
