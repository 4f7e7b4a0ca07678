/** A capture that cannot be opened: one clear line on stderr, exit status 2. */
import { CaptureError } from '../engine/pcap';

export function openFailure(file: string, e: unknown): number {
  if (e instanceof CaptureError || (e as NodeJS.ErrnoException)?.code) {
    process.stderr.write(`dbwire: ${file}: ${(e as Error).message}\n`);
    return 2;
  }
  throw e;
}
