import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_RECENT, addRecent, loadRecent, saveRecent } from '../../../electron/app/recent-files';
import { loadWindowState, saveWindowState } from '../../../electron/app/window-state';
import { DEFAULT_BOUNDS } from '../../../electron/app/window-options';
import { filesFromArgv } from '../../../electron/app/argv-files';

const dir = mkdtempSync(join(tmpdir(), 'dbwire-app-state-'));
const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];

describe('window state', () => {
  it('round-trips bounds and the maximized flag', () => {
    const f = join(dir, 'ws.json');
    saveWindowState(f, { bounds: { x: 100, y: 50, width: 1000, height: 700 }, maximized: true });
    expect(loadWindowState(f, screen)).toEqual({ bounds: { x: 100, y: 50, width: 1000, height: 700 }, maximized: true });
  });

  it('drops a position no display shows (monitor unplugged) but keeps the size', () => {
    const f = join(dir, 'ws2.json');
    saveWindowState(f, { bounds: { x: 3000, y: 50, width: 1000, height: 700 }, maximized: false });
    expect(loadWindowState(f, screen)).toEqual({ bounds: { width: 1000, height: 700 }, maximized: false });
  });

  it('falls back to defaults on a missing, corrupt or absurd file', () => {
    expect(loadWindowState(join(dir, 'missing.json'), screen).bounds).toEqual(DEFAULT_BOUNDS);
    const f = join(dir, 'bad.json');
    writeFileSync(f, '{not json');
    expect(loadWindowState(f, screen).bounds).toEqual(DEFAULT_BOUNDS);
    writeFileSync(f, JSON.stringify({ bounds: { width: 5, height: 5 } }));
    expect(loadWindowState(f, screen).bounds).toEqual(DEFAULT_BOUNDS);
  });
});

describe('Open Recent', () => {
  it('keeps the most recent first, without duplicates, at most MAX_RECENT', () => {
    let list: string[] = [];
    for (let i = 0; i < MAX_RECENT + 3; i++) list = addRecent(list, `/c/${i}.pcap`);
    list = addRecent(list, '/c/5.pcap');
    expect(list[0]).toBe('/c/5.pcap');
    expect(list.length).toBe(MAX_RECENT);
    expect(new Set(list).size).toBe(list.length);
    const f = join(dir, 'recent.json');
    saveRecent(f, list);
    expect(loadRecent(f)).toEqual(list);
    writeFileSync(f, JSON.stringify(['/ok.pcap', 3, null]));
    expect(loadRecent(f)).toEqual(['/ok.pcap']);
    expect(JSON.parse(readFileSync(f, 'utf8'))).toHaveLength(3);
  });
});

describe('files from the command line', () => {
  it('takes existing files, skips flags, folders and missing paths', () => {
    const cap = join(dir, 'a.pcapng');
    writeFileSync(cap, '');
    mkdirSync(join(dir, 'folder'), { recursive: true });
    const argv = ['/usr/bin/dbwire', '--no-sandbox', 'a.pcapng', 'folder', 'missing.pcap', '.'];
    expect(filesFromArgv(argv, dir, 1)).toEqual([cap]);
  });
});
