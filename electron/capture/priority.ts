/**
 * Scheduling priority for the capture path. In immediate mode (cap, and our tcpdump, for live
 * latency) libpcap cuts the kernel ring into frames of the snapshot length clamped to MTU + 18:
 * on lo (MTU 65536) about 64 KiB a frame, so a 64 MiB buffer holds only ~1000 frames, and on lo
 * every packet takes two (the outgoing copy, which libpcap discards only after it was queued).
 * That is ~5 ms at 100k packets/s: if the reader waits that long for a CPU, packets are dropped
 * (measured: tcpdump alone on lo, writing to /dev/null, drops at 100k/s on a 2-core machine).
 * So the capture process and its capture tool ask for a higher priority than the programs whose
 * traffic they record. Only root (or CAP_SYS_NICE) may raise it; otherwise this does nothing.
 */
import { getPriority, setPriority } from 'node:os';

/** The nice value asked for (lower is higher priority; 0 is the default). */
export const CAPTURE_NICE = -10;

/** Raises `pid` (0: the calling thread — on Linux nice is per thread) to CAPTURE_NICE; false if not allowed. */
export function raiseCapturePriority(pid = 0): boolean {
  try {
    if (getPriority(pid) <= CAPTURE_NICE) return true;
    setPriority(pid, CAPTURE_NICE);
    return true;
  } catch {
    return false; // EACCES/EPERM without the right, ESRCH if the process is gone
  }
}
