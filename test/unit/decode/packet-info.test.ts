import { describe, expect, it } from 'vitest';
import { appendInfo, newPacketInfo } from '../../../electron/engine/decode/packet-info';

describe('deferred Info', () => {
  it('is built once, when read', () => {
    const p = newPacketInfo(1, 0, 0);
    let built = 0;
    p.deferInfo(() => { built++; return 'tcp info'; });
    expect(built).toBe(0);
    expect(p.colInfo).toBe('tcp info');
    expect(p.colInfo).toBe('tcp info');
    expect(built).toBe(1);
  });

  it('is never built when a later layer replaces it', () => {
    const p = newPacketInfo(1, 0, 0);
    p.deferInfo(() => { throw new Error('built'); });
    p.colInfo = 'Query';
    expect(p.colInfo).toBe('Query');
  });

  it('is what an append extends', () => {
    const p = newPacketInfo(1, 0, 0);
    p.deferInfo(() => '80 → 40000 [ACK]');
    appendInfo(p, '[Malformed Packet]');
    expect(p.colInfo).toBe('80 → 40000 [ACK] [Malformed Packet]');
  });
});
