/**
 * Remembers the window's size, position and maximized state between runs. A saved position that
 * no display shows any more (a monitor was unplugged) is dropped so the window never opens
 * off-screen. Plain Node; main.ts feeds it Electron's display list.
 */
import { readFileSync } from 'node:fs';
import { writeJsonAtomic } from './json-file';
import { DEFAULT_BOUNDS, type WindowBounds } from './window-options';

export interface WindowState {
  readonly bounds: WindowBounds;
  readonly maximized: boolean;
}

export interface Rect { readonly x: number; readonly y: number; readonly width: number; readonly height: number }

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function loadWindowState(file: string, workAreas: readonly Rect[]): WindowState {
  let raw: unknown;
  try { raw = JSON.parse(readFileSync(file, 'utf8')); } catch { return { bounds: DEFAULT_BOUNDS, maximized: false }; }
  const r = (raw ?? {}) as { bounds?: Record<string, unknown>; maximized?: unknown };
  const b = r.bounds ?? {};
  if (!num(b.width) || !num(b.height) || b.width < 400 || b.height < 300) return { bounds: DEFAULT_BOUNDS, maximized: false };
  const size = { width: Math.round(b.width), height: Math.round(b.height) };
  const maximized = r.maximized === true;
  if (!num(b.x) || !num(b.y)) return { bounds: size, maximized };
  const pos = { x: Math.round(b.x), y: Math.round(b.y) };
  // Visible when the title bar area (top 40 px) overlaps some display's work area.
  const visible = workAreas.some((a) => pos.x < a.x + a.width && pos.x + size.width > a.x && pos.y < a.y + a.height && pos.y + 40 > a.y);
  return { bounds: visible ? { ...pos, ...size } : size, maximized };
}

export function saveWindowState(file: string, state: WindowState): void {
  writeJsonAtomic(file, state);
}
