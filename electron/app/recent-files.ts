/**
 * The Open Recent list: most recent first, no duplicates, at most MAX_RECENT, kept as JSON in the
 * app's data folder. Plain Node, so it is tested without Electron.
 */
import { readFileSync } from 'node:fs';
import { writeJsonAtomic } from './json-file';

export const MAX_RECENT = 10;

export function addRecent(list: readonly string[], path: string): string[] {
  return [path, ...list.filter((p) => p !== path)].slice(0, MAX_RECENT);
}

export function loadRecent(file: string): string[] {
  try {
    const v: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return Array.isArray(v) ? v.filter((p): p is string => typeof p === 'string').slice(0, MAX_RECENT) : [];
  } catch {
    return [];
  }
}

export function saveRecent(file: string, list: readonly string[]): void {
  writeJsonAtomic(file, list);
}
