/**
 * Where spools live, and what can be done with them after a capture: list the unsaved ones (a
 * crash leaves them behind; the app offers to reopen them), save (move or copy) and discard.
 * A spool's name carries the pid of the process that owns it, so a spool whose owner is gone is
 * known to be left over.
 */
import { copyFileSync, mkdirSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface SpoolEntry {
  readonly path: string;
  readonly iface: string;
  readonly bytes: number;
  readonly modified: Date;
  readonly ownerPid: number;
  /** The owning process still runs (a capture in progress, or one not yet saved by a live app). */
  readonly inUse: boolean;
}

const NAME = /^capture-(\d{8}T\d{6})-(.+)-(\d+)\.pcapng$/;

export function spoolDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.DBWIRE_SPOOL_DIR) return env.DBWIRE_SPOOL_DIR;
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'dbwire', 'spool');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'dbwire', 'spool');
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'dbwire', 'spool');
}

/** A fresh spool path for a capture on `iface` owned by this process (creates the directory). */
export function newSpoolPath(iface: string, dir = spoolDir(), now = new Date()): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stamp = now.toISOString().replace(/[-:]/g, '').slice(0, 15);
  const safe = iface.replace(/[^A-Za-z0-9._@-]/g, '_') || 'if';
  let path = join(dir, `capture-${stamp}-${safe}-${process.pid}.pcapng`);
  for (let n = 2; exists(path); n++) path = join(dir, `capture-${stamp}-${safe}.${n}-${process.pid}.pcapng`);
  return path;
}

function exists(p: string): boolean {
  try { statSync(p); return true; } catch { return false; }
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Every spool in the directory, newest first. */
export function listSpools(dir = spoolDir()): SpoolEntry[] {
  let names: string[];
  try { names = readdirSync(dir); } catch { return []; }
  const out: SpoolEntry[] = [];
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m) continue;
    const path = join(dir, name);
    try {
      const st = statSync(path);
      const ownerPid = Number(m[3]);
      out.push({ path, iface: m[2]!, bytes: st.size, modified: st.mtime, ownerPid, inUse: ownerPid === process.pid || alive(ownerPid) });
    } catch { /* removed meanwhile */ }
  }
  return out.sort((a, b) => b.modified.getTime() - a.modified.getTime());
}

/** Spools left by processes that are gone: what to offer for recovery. */
export function unsavedSpools(dir = spoolDir()): SpoolEntry[] {
  return listSpools(dir).filter((s) => !s.inUse);
}

/** Moves the spool to `dest` (copies then deletes across file systems). */
export function saveSpool(spool: string, dest: string): void {
  try {
    renameSync(spool, dest);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    copyFileSync(spool, dest);
    unlinkSync(spool);
  }
}

/** Copies the spool to `dest`, keeping the spool (saving while the capture still runs). */
export function copySpool(spool: string, dest: string): void {
  copyFileSync(spool, dest);
}

export function discardSpool(spool: string): void {
  try { unlinkSync(spool); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; }
}
