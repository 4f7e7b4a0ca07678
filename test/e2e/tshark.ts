// tshark as the reference for e2e checks.
import { execFileSync } from 'node:child_process';

/** Frames of `file` matching `filter` ('' for all), as tshark counts them. */
export function tsharkCount(file: string, filter: string, decodeAs: readonly string[] = []): number {
  const args = ['-n', '-r', file, '-T', 'fields', '-e', 'frame.number'];
  for (const d of decodeAs) args.push('-d', d);
  if (filter) args.push('-Y', filter);
  const out = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\n').filter((l) => l.trim() !== '').length;
}

/** The frame numbers tshark shows for `filter`. */
export function tsharkFrames(file: string, filter: string, decodeAs: readonly string[] = []): number[] {
  const args = ['-n', '-r', file, '-T', 'fields', '-e', 'frame.number'];
  for (const d of decodeAs) args.push('-d', d);
  if (filter) args.push('-Y', filter);
  return execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).split('\n').filter((l) => l.trim()).map(Number);
}
