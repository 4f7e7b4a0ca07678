/**
 * Capture files named on the command line (`dbwire-app trace.pcapng`, or a second instance's
 * argv forwarded by the single-instance lock): the arguments that are existing regular files.
 * Flags (Chromium's and ours) are skipped, and so is the app's own path.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';

export function filesFromArgv(argv: readonly string[], cwd: string, skip: number): string[] {
  const out: string[] = [];
  for (const a of argv.slice(skip)) {
    if (a.startsWith('-') || a === '.') continue;
    const p = resolve(cwd, a);
    try { if (statSync(p).isFile()) out.push(p); } catch { /* not a file */ }
  }
  return out;
}

/** Extensions the app registers with the OS (electron-builder fileAssociations). */
export const CAPTURE_EXTENSIONS = ['pcap', 'pcapng', 'cap', 'pcap.gz', 'pcapng.gz'] as const;
