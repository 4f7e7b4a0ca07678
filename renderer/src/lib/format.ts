/** Number, time and size texts for the UI (always plain text). */

const intFmt = new Intl.NumberFormat('en-US');

export function count(n: number): string {
  return intFmt.format(n);
}

/** Seconds as "312 ms", "1.24 s", "45 µs". */
export function duration(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '–';
  const a = Math.abs(s);
  if (a === 0) return '0';
  if (a < 1e-3) return `${(s * 1e6).toFixed(0)} µs`;
  if (a < 1) return `${(s * 1e3).toFixed(a < 0.01 ? 2 : a < 0.1 ? 1 : 0)} ms`;
  if (a < 120) return `${s.toFixed(a < 10 ? 2 : 1)} s`;
  if (a < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** Seconds since the first frame, as Wireshark's Time column (6 decimals). */
export function relTime(s: number): string {
  return s.toFixed(6);
}

/** Epoch seconds as local "HH:MM:SS.mmm". */
export function clockTime(epoch: number): string {
  const d = new Date(epoch * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function rate(perSec: number): string {
  if (perSec >= 10_000) return `${(perSec / 1000).toFixed(0)}k pkt/s`;
  if (perSec >= 1000) return `${(perSec / 1000).toFixed(1)}k pkt/s`;
  return `${perSec.toFixed(0)} pkt/s`;
}

/** The last path component, for titles. */
export function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i >= 0 ? path.slice(i + 1) : path;
}
