import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapWriter, PcapngWriter, LinkType, type PacketToWrite } from '../../../electron/engine/pcap/index';
import * as B from './build';
import { readAll } from './read-all';

const tmp = new B.TempDir();
afterAll(() => tmp.remove());

const packets: PacketToWrite[] = Array.from({ length: 30 }, (_, i) => ({
  tsSec: 1700000000 + i,
  tsNsec: (i * 123456789) % 1e9,
  data: B.ethFrame(54 + ((i * 97) % 1400), i),
  origLen: 54 + ((i * 97) % 1400) + (i % 3 === 0 ? 100 : 0),
}));

/** tcpdump's view: one "time hex" entry per packet (hex of the whole frame, -xx). */
function tcpdumpView(file: string, nano: boolean): { time: string; hex: string }[] {
  const r = spawnSync('tcpdump', ['-r', file, '-nn', '-tt', '-xx', ...(nano ? ['--nano'] : [])], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const out: { time: string; hex: string }[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^\t0x[0-9a-f]+:\s+(.*)$/.exec(line);
    if (m) out[out.length - 1]!.hex += m[1]!.replace(/\s+/g, '');
    else if (/^\d+\.\d+ /.test(line)) out.push({ time: line.split(' ')[0]!, hex: '' });
  }
  return out;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('pcap writer', () => {
  for (const nanosecond of [false, true]) {
    it(`writes ${nanosecond ? 'ns' : 'µs'} pcap that we, tshark and tcpdump read back the same`, async () => {
      const path = tmp.name(`out-${nanosecond}.pcap`);
      const w = new PcapWriter(path, { linkType: LinkType.ETHERNET, nanosecond });
      for (const p of packets) w.writePacket(p);
      expect(w.count).toBe(30);
      w.close();
      const { frames, reader } = await readAll(path);
      expect(reader.error).toBeNull();
      expect(reader.interfaces[0]!.tsUnitsPerSec).toBe(nanosecond ? 1e9 : 1e6);
      const nsec = (p: PacketToWrite): number => (nanosecond ? p.tsNsec : Math.floor(p.tsNsec / 1000) * 1000);
      expect(frames.map((f) => [f.tsSec, f.tsNsec, f.capLen, f.origLen])).toEqual(packets.map((p) => [p.tsSec, nsec(p), p.data.length, p.origLen]));
      expect(frames.map((f) => f.bytes)).toEqual(packets.map((p) => [...p.data]));
      const t = B.tsharkFields(path, ['frame.time_epoch', 'frame.len', 'frame.cap_len']);
      expect(t.stderr).toBe('');
      expect(t.lines).toEqual(packets.map((p) => `${B.epoch(p.tsSec, nsec(p))}\t${p.origLen}\t${p.data.length}`));
      const td = tcpdumpView(path, nanosecond);
      expect(td.map((x) => x.time)).toEqual(packets.map((p) => (nanosecond ? B.epoch(p.tsSec, p.tsNsec) : `${p.tsSec}.${String(Math.floor(p.tsNsec / 1000)).padStart(6, '0')}`)));
      expect(td.map((x) => x.hex)).toEqual(packets.map((p) => hex(p.data)));
    });
  }

  it('writes big-endian files and carries ns ≥ 1e9 into the seconds', async () => {
    const path = tmp.name('be.pcap');
    const w = new PcapWriter(path, { linkType: LinkType.RAW, bigEndian: true, nanosecond: true, snapLen: 65535 });
    w.writePacket({ tsSec: 10, tsNsec: 1_500_000_000, data: B.payload(20) });
    w.close();
    expect(readFileSync(path).subarray(0, 4)).toEqual(Buffer.from([0xa1, 0xb2, 0x3c, 0x4d]));
    const { frames, reader } = await readAll(path);
    expect(reader.interfaces[0]!.linkType).toBe(LinkType.RAW);
    expect(reader.interfaces[0]!.snapLen).toBe(65535);
    expect([frames[0]!.tsSec, frames[0]!.tsNsec]).toEqual([11, 500_000_000]);
  });
});

describe('pcapng writer', () => {
  it('writes SHB comment, IDBs with name and resolution, EPBs with comments and flags', async () => {
    const path = tmp.name('out.pcapng');
    const w = new PcapngWriter(path, {
      comment: 'exported by dbwire',
      interfaces: [
        { linkType: LinkType.ETHERNET, snapLen: 262144, name: 'eth0', description: 'wired' },
        { linkType: LinkType.ETHERNET, name: 'lo', resolution: 'us' },
      ],
    });
    packets.forEach((p, i) => w.writePacket({ ...p, iface: i % 2, ...(i % 5 === 0 ? { comments: [`note ${i}`, 'second'], flags: 0x1 } : {}) }));
    w.close();
    const { frames, reader } = await readAll(path);
    expect(reader.error).toBeNull();
    expect(reader.sectionComments).toEqual(['exported by dbwire']);
    expect(reader.interfaces.map((i) => [i.linkType, i.snapLen, i.name, i.description, i.tsUnitsPerSec])).toEqual([
      [1, 262144, 'eth0', 'wired', 1e9],
      [1, 0, 'lo', undefined, 1e6],
    ]);
    const nsec = (p: PacketToWrite, i: number): number => (i % 2 ? Math.floor(p.tsNsec / 1000) * 1000 : p.tsNsec);
    expect(frames.map((f) => [f.iface, f.tsSec, f.tsNsec, f.origLen])).toEqual(packets.map((p, i) => [i % 2, p.tsSec, nsec(p, i), p.origLen]));
    expect(frames.map((f) => f.bytes)).toEqual(packets.map((p) => [...p.data]));
    expect(frames[5]!.comments).toEqual(['note 5', 'second']);
    expect(frames[5]!.flags).toBe(1);
    expect(frames[6]!.comments).toBeUndefined();

    const t = B.tsharkFields(path, ['frame.time_epoch', 'frame.len', 'frame.cap_len', 'frame.interface_name', 'frame.comment', 'frame.packet_flags']);
    expect(t.stderr).toBe('');
    expect(t.lines).toEqual(
      packets.map((p, i) =>
        [B.epoch(p.tsSec, nsec(p, i)), p.origLen, p.data.length, i % 2 ? 'lo' : 'eth0', i % 5 === 0 ? `note ${i},second` : '', i % 5 === 0 ? '0x00000001' : ''].join('\t'),
      ),
    );
    const cap = spawnSync('capinfos', ['-k', path], { encoding: 'utf8' });
    expect(cap.stdout).toContain('exported by dbwire');
    // tcpdump reads pcapng too
    expect(tcpdumpView(path, true).map((x) => x.hex)).toEqual(packets.map((p) => hex(p.data)));
  });

  it('refuses a time that overflows 64-bit ns ticks, and keeps it at µs resolution', async () => {
    const farFuture = { tsSec: 18446744073204, tsNsec: 126329000, data: B.payload(20) };
    const ns = new PcapngWriter(tmp.name('far-ns.pcapng'), { interfaces: [{ linkType: 1 }] });
    expect(() => ns.writePacket(farFuture)).toThrow(RangeError);
    ns.abort();
    const path = tmp.name('far-us.pcapng');
    const us = new PcapngWriter(path, { interfaces: [{ linkType: 1, resolution: 'us' }] });
    us.writePacket(farFuture);
    us.close();
    const { frames } = await readAll(path);
    expect([frames[0]!.tsSec, frames[0]!.tsNsec]).toEqual([18446744073204, 126329000]);
  });

  it('rejects an unknown interface index', () => {
    const w = new PcapngWriter(tmp.name('bad-iface.pcapng'), { interfaces: [{ linkType: 1 }] });
    expect(() => w.writePacket({ tsSec: 0, tsNsec: 0, data: B.payload(10), iface: 1 })).toThrow(RangeError);
    w.abort();
    expect(existsSync(tmp.name('bad-iface.pcapng'))).toBe(false);
  });
});

describe('writers never leave a half-written file under the final name', () => {
  for (const kind of ['pcap', 'pcapng'] as const) {
    const make = (path: string) =>
      kind === 'pcap' ? new PcapWriter(path, { linkType: 1 }) : new PcapngWriter(path, { interfaces: [{ linkType: 1 }] });

    it(`${kind}: temp file beside the target until close, then renamed`, () => {
      const final = tmp.name(`atomic.${kind}`);
      writeFileSync(final, 'old contents');
      const w = make(final);
      for (let i = 0; i < 5000; i++) w.writePacket({ tsSec: i, tsNsec: 0, data: B.ethFrame(400, i) }); // > write buffer
      expect(readFileSync(final, 'utf8')).toBe('old contents');
      const parts = readdirSync(tmp.path).filter((n) => n.startsWith(`.atomic.${kind}.`) && n.endsWith('.part'));
      expect(parts).toHaveLength(1);
      w.close();
      expect(readdirSync(tmp.path).filter((n) => n.endsWith('.part'))).toEqual([]);
      expect(B.tsharkFields(final, ['frame.number']).lines).toHaveLength(5000);
      expect(() => w.writePacket({ tsSec: 0, tsNsec: 0, data: B.payload(4) })).toThrow(/already closed/);
    });

    it(`${kind}: abort() deletes the temp file and keeps the old file`, () => {
      const final = tmp.name(`aborted.${kind}`);
      writeFileSync(final, 'keep me');
      const w = make(final);
      w.writePacket({ tsSec: 1, tsNsec: 0, data: B.payload(100) });
      w.abort();
      expect(readFileSync(final, 'utf8')).toBe('keep me');
      expect(readdirSync(tmp.path).filter((n) => n.endsWith('.part'))).toEqual([]);
    });
  }
});
