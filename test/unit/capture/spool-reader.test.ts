// The growing-spool reader: frames come out as their blocks complete, a partial block at the end
// is waited for (not damage) until end() says nothing more will come.
import { afterAll, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpoolWriter } from '../../../electron/capture/spool';
import { SpoolReader } from '../../../electron/capture/spool-reader';

const dir = mkdtempSync(join(tmpdir(), 'dbwire-spool-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function spoolBytes(packets: number): Promise<Buffer> {
  const path = join(dir, `src-${packets}.pcapng`);
  const w = new SpoolWriter(path, 10_000);
  const ifc = w.addInterface({ linkType: 1, snapLen: 65535, name: 'lo' });
  for (let i = 0; i < packets; i++) w.write(ifc, 1_700_000_000 + i, 123_456_789, new Uint8Array(60 + i).fill(i), 100 + i);
  await w.close();
  return readFileSync(path);
}

describe('SpoolReader', () => {
  it('reads frames as the file grows, waiting at partial blocks', async () => {
    const all = await spoolBytes(5);
    const path = join(dir, 'growing.pcapng');
    writeFileSync(path, all.subarray(0, 40));
    const r = new SpoolReader(path);
    const got: { num: number; capLen: number; origLen: number; tsSec: number; tsNsec: number; first: number }[] = [];
    // Grow 7 bytes at a time: every block boundary falls mid-step sometime.
    for (let at = 40; at <= all.length; at += 7) {
      appendFileSync(path, all.subarray(Math.max(40, at - 7), at));
      r.refresh();
      for (let f = r.next(); f; f = r.next()) got.push({ num: f.num, capLen: f.capLen, origLen: f.origLen, tsSec: f.tsSec, tsNsec: f.tsNsec, first: f.data[0]! });
      expect(r.error).toBeNull();
    }
    appendFileSync(path, all.subarray(all.length - ((all.length - 40) % 7)));
    r.refresh();
    for (let f = r.next(); f; f = r.next()) got.push({ num: f.num, capLen: f.capLen, origLen: f.origLen, tsSec: f.tsSec, tsNsec: f.tsNsec, first: f.data[0]! });
    r.end();
    expect(r.next()).toBeNull();
    expect(r.error).toBeNull();
    expect(got).toEqual([0, 1, 2, 3, 4].map((i) => ({ num: i + 1, capLen: 60 + i, origLen: 100 + i, tsSec: 1_700_000_000 + i, tsNsec: 123_456_789, first: i })));
    expect(r.interfaces.map((i) => [i.name, i.linkType, i.tsUnitsPerSec])).toEqual([['lo', 1, 1e9]]);
    r.close();
  });

  it('reports a partial block left at the end once the writer is done', async () => {
    const all = await spoolBytes(2);
    const path = join(dir, 'cut.pcapng');
    writeFileSync(path, all.subarray(0, all.length - 10));
    const r = new SpoolReader(path);
    expect(r.next()?.num).toBe(1);
    expect(r.next()).toBeNull();
    expect(r.error).toBeNull();
    r.end();
    expect(r.next()).toBeNull();
    expect(r.error?.message).toMatch(/truncated block/);
    r.close();
  });

  it('stops with an error on a damaged block length', async () => {
    const all = Buffer.from(await spoolBytes(1));
    const shbLen = all.readUInt32LE(4);
    const idbLen = all.readUInt32LE(shbLen + 4);
    all.writeUInt32LE(13, shbLen + idbLen + 4); // not a multiple of 4
    const path = join(dir, 'bad.pcapng');
    writeFileSync(path, all);
    const r = new SpoolReader(path);
    expect(r.next()).toBeNull();
    expect(r.error?.message).toMatch(/bad block length 13/);
    r.close();
  });
});
