/**
 * Checks a capture filter before a capture starts, without capture rights: libpcap compiles it
 * for a link type with no device open (`tcpdump -y LINKTYPE -d FILTER`). When tcpdump is not
 * installed the check is skipped and the backend reports the error at open instead.
 */
import { spawnSync } from 'node:child_process';
import { findTool } from './permission';

export type FilterCheck = { readonly ok: true } | { readonly ok: false; readonly message: string } | null;

export function checkCaptureFilter(filter: string, linkTypeName = 'EN10MB'): FilterCheck {
  if (!filter.trim()) return { ok: true };
  const tcpdump = findTool('tcpdump');
  if (!tcpdump) return null;
  const r = spawnSync(tcpdump, ['-y', linkTypeName, '-d', filter], { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status === null) return null;
  if (r.status === 0) return { ok: true };
  const message = r.stderr.split('\n').map((l) => l.replace(/^tcpdump: /, '').trim()).filter(Boolean).join('; ');
  // An error about the device or rights is not an error in the filter.
  if (/permission|not permitted|device/i.test(message)) return null;
  return { ok: false, message: message || 'invalid capture filter' };
}
