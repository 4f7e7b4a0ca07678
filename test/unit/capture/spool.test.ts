// The spool: a pcapng readable while it grows (every flush leaves whole blocks), readable by the
// engine's file reader and by tshark after close; spool directory listing, save and discard.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpoolWriter } from '../../../electron/capture/spool';
import { discardSpool, listSpools, newSpoolPath, saveSpool, spoolDir, unsavedSpools } from '../../../electron/capture/spool-dir';
import { CaptureStreamParser } from '../../../electron/capture/pcap-stream';
import { openCapture } from '../../../electron/engine/pcap';
import { ethFrame } from '../pcap/build';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'dbwire-spool-test-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

function framesIn(bytes: Uint8Array): number {
  let n = 0;
  new CaptureStreamParser().push(bytes, () => { n++; });
  return n;
}

describe('SpoolWriter', () => {
  it('keeps the file a valid capture at every flush and after close', async () => {
    const path = join(dir, 'a.pcapng');
    const w = new SpoolWriter(path, 1_000_000);
    const lo = w.addInterface({ linkType: 1, snapLen: 65535, name: 'lo' });
    for (let i = 0; i < 10; i++) w.write(lo, 1700000000 + i, i * 1000 + 7, ethFrame(60 + i, i));
    // Buffered, not yet on disk; a flush makes all of it readable.
    expect(framesIn(readFileSync(path))).toBe(0);
    w.flush();
    // Written behind the caller's back: on disk once drained.
    await w.drained();
    expect(w.flushedPackets).toBe(10);
    expect(statSync(path).size).toBe(w.flushedBytes);
    expect(framesIn(readFileSync(path))).toBe(10);
    w.write(lo, 1700000100, 1, ethFrame(1514, 99), 9000);
    await w.close();
    const r = await openCapture(path);
    const got = [];
    for (let f = r.next(); f; f = r.next()) got.push([f.tsSec, f.tsNsec, f.capLen, f.origLen]);
    r.close();
    expect(got).toHaveLength(11);
    expect(got[3]).toEqual([1700000003, 3007, 63, 63]);
    expect(got[10]).toEqual([1700000100, 1, 1514, 9000]);
    const t = spawnSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.interface_name'], { encoding: 'utf8' });
    if (t.error) throw new Error('tshark is not installed (run: node test/support/prereqs.mjs)');
    expect(t.status).toBe(0);
    expect(t.stdout.trim().split('\n')[3]).toBe('1700000003.000003007\tlo');
  });

  it('writes nanosecond timestamps exactly, up to the end of 32-bit seconds', async () => {
    const path = join(dir, 'ts.pcapng');
    const w = new SpoolWriter(path, 1_000_000);
    w.addInterface({ linkType: 1, snapLen: 65535 });
    const times: [number, number][] = [[0, 0], [0, 999_999_999], [65535, 1], [65536, 0], [1_700_000_000, 123_456_789], [4_294_967_295, 999_999_999]];
    for (let i = 0; i < 500; i++) times.push([Math.floor(Math.random() * 2 ** 32), Math.floor(Math.random() * 1e9)]);
    for (const [s, n] of times) w.write(0, s, n, ethFrame(60));
    await w.close();
    const got: bigint[] = [];
    const b = readFileSync(path);
    new CaptureStreamParser().push(b, (f) => { got.push(BigInt(f.tsSec) * 1_000_000_000n + BigInt(f.tsNsec)); });
    expect(got).toEqual(times.map(([s, n]) => BigInt(s) * 1_000_000_000n + BigInt(n)));
  });

  it('a failed write stops the spool and says why (ENOSPC on /dev/full)', async () => {
    const w = new SpoolWriter('/dev/full', 1_000_000);
    const failed = new Promise<Error>((r) => { w.onError = r; });
    w.addInterface({ linkType: 1, snapLen: 65535 });
    w.write(0, 1, 0, ethFrame(60));
    w.flush();
    expect((await failed).message).toMatch(/ENOSPC/);
    expect(w.error).not.toBeNull();
    w.write(0, 2, 0, ethFrame(60));
    await w.close(); // still closes
    expect(w.flushedPackets).toBe(0);
  });

  it('flushes on its own timer when packets stop coming', async () => {
    const path = join(dir, 'b.pcapng');
    const w = new SpoolWriter(path, 20);
    w.addInterface({ linkType: 1, snapLen: 65535 });
    w.write(0, 1, 0, ethFrame(60));
    const deadline = Date.now() + 5000;
    while (framesIn(readFileSync(path)) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(framesIn(readFileSync(path))).toBe(1);
    await w.close();
  });
});

describe('spool directory', () => {
  it('honours DBWIRE_SPOOL_DIR and XDG_STATE_HOME', () => {
    expect(spoolDir({ DBWIRE_SPOOL_DIR: '/x/y' }, 'linux')).toBe('/x/y');
    expect(spoolDir({ XDG_STATE_HOME: '/state' }, 'linux')).toBe('/state/dbwire/spool');
  });

  it('lists unsaved spools of dead owners, saves and discards', () => {
    const mine = newSpoolPath('lo', dir);
    writeFileSync(mine, 'x');
    // A spool left by a process that no longer exists (pid far above pid_max).
    const orphan = join(dir, 'capture-20240101T000000-eth0-999999999.pcapng');
    writeFileSync(orphan, 'yy');
    writeFileSync(join(dir, 'unrelated.txt'), '');
    expect(listSpools(dir).map((s) => s.path).sort()).toEqual([mine, orphan].sort());
    expect(unsavedSpools(dir).map((s) => [s.path, s.iface, s.bytes])).toEqual([[orphan, 'eth0', 2]]);
    const saved = join(dir, 'saved.pcapng');
    saveSpool(orphan, saved);
    expect(existsSync(orphan)).toBe(false);
    expect(readFileSync(saved, 'utf8')).toBe('yy');
    discardSpool(mine);
    discardSpool(mine); // twice is fine
    expect(listSpools(dir)).toEqual([]);
  });
});
