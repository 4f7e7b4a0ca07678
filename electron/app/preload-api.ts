/**
 * What the preload exposes to the renderer, built from closed tables: `window.dbwire` has exactly
 * the DbwireApi methods (each forwards to the client), `window.dbwireShell` exactly the shell
 * calls. No generic invoke, no ipcRenderer. Pure (no Electron import): preload.ts supplies the
 * Electron pieces, and a test snapshots `describePreloadSurface()`.
 */
import { API_METHODS, type ApiEvent, type DbwireApi } from '../../shared/api/types';
import type { DbwireShell, ShellEvent } from '../../shared/api/shell';
import { API_ARGS } from '../host/api-args';
import { SHELL_CALLS, type ShellCall, type ShellCallArgs } from './ipc-channels';

/** The global names the preload defines in the renderer. */
export const EXPOSED_API = 'dbwire';
export const EXPOSED_SHELL = 'dbwireShell';

export function buildExposedApi(client: DbwireApi): DbwireApi {
  const api: Record<string, unknown> = {};
  for (const m of API_METHODS) {
    const fn = client[m] as (...a: unknown[]) => Promise<unknown>;
    api[m] = (...args: unknown[]) => fn.apply(client, args);
  }
  api.onEvent = (listener: (e: ApiEvent) => void) => client.onEvent(listener);
  return Object.freeze(api) as unknown as DbwireApi;
}

export interface ShellPieces {
  /** ipcRenderer.invoke on the call's channel (kept inside the preload). */
  invoke<C extends ShellCall>(call: C, args: ShellCallArgs[C]): Promise<unknown>;
  /** webUtils.getPathForFile. */
  pathForFile(file: File): string;
  onShellEvent(listener: (e: ShellEvent) => void): () => void;
}

export function buildExposedShell(p: ShellPieces): DbwireShell {
  const shell: DbwireShell = {
    kind: 'desktop',
    chooseCaptureFile: () => p.invoke('chooseCaptureFile', []) as Promise<string | null>,
    chooseSavePath: (kind, suggestedName) => p.invoke('chooseSavePath', [kind, suggestedName]) as Promise<string | null>,
    pathForFile: (file) => p.pathForFile(file),
    addRecentFile: (path) => p.invoke('addRecentFile', [path]) as Promise<void>,
    restartEngine: () => p.invoke('restartEngine', []) as Promise<void>,
    versions: () => p.invoke('versions', []) as Promise<Readonly<Record<string, string>>>,
    onShellEvent: (listener) => p.onShellEvent(listener),
  };
  return Object.freeze(shell);
}

export interface SurfaceEntry {
  readonly args: readonly string[];
  /** How the call travels: the engine port, an IPC channel, or inside the preload. */
  readonly via: string;
}

/** The exposed surface, names and argument shapes: a new method or channel changes this. */
export function describePreloadSurface(): Record<string, Record<string, SurfaceEntry | string>> {
  const api: Record<string, SurfaceEntry> = {};
  for (const m of API_METHODS) api[m] = { args: API_ARGS[m].map((a) => `${a.name}: ${a.shape}`), via: 'engine port' };
  api.onEvent = { args: ['listener: (ApiEvent) => void'], via: 'engine port (pushed)' };
  const shell: Record<string, SurfaceEntry | string> = { kind: "'desktop'" };
  for (const [name, c] of Object.entries(SHELL_CALLS)) shell[name] = { args: c.args.map((a) => `${a.name}: ${a.shape}`), via: `ipc ${c.channel}` };
  shell.pathForFile = { args: ['file: File'], via: 'preload (webUtils.getPathForFile)' };
  shell.onShellEvent = { args: ['listener: (ShellEvent) => void'], via: 'ipc dbwire:shell-event (pushed)' };
  return { [EXPOSED_API]: api, [EXPOSED_SHELL]: shell };
}
