/**
 * Input checks at the service boundary: every argument of every DbwireApi request is checked
 * here before the engine sees it, and a bad one is rejected with an ApiInputError that names the
 * argument and says what was expected. No Node imports (the renderer may pre-check with it too).
 */
import type { CaptureRequest, ExportRequest, ExportWhat } from './types';

export class ApiInputError extends Error {
  override readonly name = 'ApiInputError';
}

/** Largest page of rows one request may ask for. */
export const MAX_PAGE_ROWS = 10_000;
export const MAX_FILTER_LENGTH = 64 * 1024;
export const MAX_PATH_LENGTH = 4096;
export const MAX_EXPORT_FRAMES = 10_000_000;

function fail(what: string, expected: string, got: unknown): never {
  throw new ApiInputError(`${what}: expected ${expected}, got ${describe(got)}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  return typeof v;
}

export function checkSessionId(v: unknown): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 128) fail('session', 'a session id (from openFile or startCapture)', v);
  return v;
}

export function checkUint(what: string, v: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(what, 'a non-negative integer', v);
  if (v > max) throw new ApiInputError(`${what}: ${v} is more than the maximum of ${max}`);
  return v;
}

/** A frame number (1-based). */
export function checkFrameNumber(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) fail(what, 'a frame number (an integer from 1)', v);
  return v;
}

export function checkFilterText(v: unknown): string {
  if (typeof v !== 'string') fail('filter', 'a display filter string', v);
  if (v.length > MAX_FILTER_LENGTH) throw new ApiInputError(`filter: ${v.length} characters is more than the maximum of ${MAX_FILTER_LENGTH}`);
  return v;
}

/** A capture (BPF) filter: a string of at most 4096 characters. */
export function checkCaptureFilterText(v: unknown): string {
  if (typeof v !== 'string') fail('expr', 'a capture filter string', v);
  if (v.length > 4096) throw new ApiInputError(`expr: ${v.length} characters is more than the maximum of 4096`);
  return v;
}

/** An absolute file path (POSIX "/..." or Windows "C:\..."), without NUL bytes. */
export function checkAbsolutePath(what: string, v: unknown): string {
  if (typeof v !== 'string' || v.length === 0) fail(what, 'an absolute file path', v);
  if (v.length > MAX_PATH_LENGTH) throw new ApiInputError(`${what}: path is longer than ${MAX_PATH_LENGTH} characters`);
  if (v.includes('\0')) throw new ApiInputError(`${what}: path contains a NUL byte`);
  if (!v.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(v) && !v.startsWith('\\\\')) {
    throw new ApiInputError(`${what}: "${v}" is not an absolute path`);
  }
  return v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(what: string, v: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(v)) if (!allowed.includes(k)) throw new ApiInputError(`${what}: unknown field "${k}" (allowed: ${allowed.join(', ')})`);
}

export function checkExportRequest(v: unknown): ExportRequest {
  if (!isRecord(v)) fail('export request', 'an object { what, format, path }', v);
  onlyKeys('export request', v, ['what', 'format', 'path']);
  if (v.format !== 'pcap' && v.format !== 'pcapng') fail('export format', '"pcap" or "pcapng"', v.format);
  const path = checkAbsolutePath('export path', v.path);
  const w = v.what;
  if (!isRecord(w)) fail('export what', "{ kind: 'displayed' | 'frames' | 'stream' }", w);
  let what: ExportWhat;
  switch (w.kind) {
    case 'displayed':
      onlyKeys('export what', w, ['kind']);
      what = { kind: 'displayed' };
      break;
    case 'frames': {
      onlyKeys('export what', w, ['kind', 'frames']);
      if (!Array.isArray(w.frames)) fail('export frames', 'an array of frame numbers', w.frames);
      if (w.frames.length > MAX_EXPORT_FRAMES) throw new ApiInputError(`export frames: more than ${MAX_EXPORT_FRAMES} frames`);
      what = { kind: 'frames', frames: w.frames.map((f, i) => checkFrameNumber(`export frames[${i}]`, f)) };
      break;
    }
    case 'stream':
      onlyKeys('export what', w, ['kind', 'stream']);
      what = { kind: 'stream', stream: checkUint('export stream', w.stream) };
      break;
    default:
      fail('export what.kind', "'displayed', 'frames' or 'stream'", w.kind);
  }
  return { what, format: v.format, path };
}

export function checkCaptureRequest(v: unknown): CaptureRequest {
  if (!isRecord(v)) fail('capture request', 'an object { iface, filter?, backend?, bufferMiB?, stop? }', v);
  onlyKeys('capture request', v, ['iface', 'filter', 'backend', 'bufferMiB', 'stop']);
  if (typeof v.iface !== 'string' || v.iface.length === 0 || v.iface.length > 256) fail('capture iface', 'an interface name', v.iface);
  if (v.filter !== undefined && (typeof v.filter !== 'string' || v.filter.length > MAX_FILTER_LENGTH)) fail('capture filter', 'a capture filter string', v.filter);
  if (v.backend !== undefined && v.backend !== 'cap' && v.backend !== 'dumpcap' && v.backend !== 'tcpdump') fail('capture backend', "'cap', 'dumpcap' or 'tcpdump'", v.backend);
  if (v.bufferMiB !== undefined) checkUint('capture bufferMiB', v.bufferMiB, 4096);
  if (v.stop !== undefined) {
    if (!isRecord(v.stop)) fail('capture stop', 'an object { packets?, seconds?, kilobytes? }', v.stop);
    onlyKeys('capture stop', v.stop, ['packets', 'seconds', 'kilobytes']);
    for (const k of ['packets', 'seconds', 'kilobytes'] as const) if (v.stop[k] !== undefined) checkUint(`capture stop.${k}`, v.stop[k]);
  }
  return v as unknown as CaptureRequest;
}
