/**
 * The IPC between the preload and the main process: a closed list of channels, each with the
 * shapes of its arguments, checked by the main process before it acts (after checking that the
 * sender is the app's own top frame). API calls do not pass here: they go over the window's
 * MessagePort straight to the engine process, which checks them (electron/host/api-args.ts).
 */
import type { ArgSpec } from '../host/api-args';
import type { SaveKind } from '../../shared/api/shell';

const MAX_PATH = 4096;

const savePurpose: ArgSpec = {
  name: 'kind', shape: "'capture'|'export'",
  check: (v) => (v === 'capture' || v === 'export' ? null : "'capture' or 'export'"),
};
const fileName: ArgSpec = {
  name: 'suggestedName', shape: 'string(0..255, no / \\ NUL)',
  check: (v) => (typeof v === 'string' && v.length <= 255 && !/[/\\\0]/.test(v) ? null : 'a file name'),
};
const filePath: ArgSpec = {
  name: 'path', shape: `string(1..${MAX_PATH}, no NUL)`,
  check: (v) => (typeof v === 'string' && v.length > 0 && v.length <= MAX_PATH && !v.includes('\0') ? null : 'a file path'),
};

/** Renderer → main requests (ipcRenderer.invoke / ipcMain.handle), with their arguments. */
export const SHELL_CALLS = {
  chooseCaptureFile: { channel: 'dbwire:choose-capture-file', args: [] },
  chooseSavePath: { channel: 'dbwire:choose-save-path', args: [savePurpose, fileName] },
  addRecentFile: { channel: 'dbwire:add-recent-file', args: [filePath] },
  restartEngine: { channel: 'dbwire:restart-engine', args: [] },
  versions: { channel: 'dbwire:versions', args: [] },
} as const satisfies Record<string, { readonly channel: string; readonly args: readonly ArgSpec[] }>;

export type ShellCall = keyof typeof SHELL_CALLS;

/** Renderer → main: "give this window a port to the engine" (answered on ENGINE_PORT). */
export const CONNECT_CHANNEL = 'dbwire:connect';
/** Main → renderer: a MessagePort to the engine (first connect, and after each engine restart). */
export const ENGINE_PORT_CHANNEL = 'dbwire:engine-port';
/** Main → renderer: a ShellEvent (menu command, file to open, engine state). */
export const SHELL_EVENT_CHANNEL = 'dbwire:shell-event';

export interface ShellCallArgs {
  chooseCaptureFile: [];
  chooseSavePath: [kind: SaveKind, suggestedName: string];
  addRecentFile: [path: string];
  restartEngine: [];
  versions: [];
}

/** null when the arguments fit the channel, else why not. */
export function checkShellArgs(call: ShellCall, args: readonly unknown[]): string | null {
  const specs: readonly ArgSpec[] = SHELL_CALLS[call].args;
  if (args.length !== specs.length) return `${call} takes ${specs.length} argument(s), got ${args.length}`;
  for (let i = 0; i < specs.length; i++) {
    const why = specs[i]!.check(args[i]);
    if (why) return `${call}: argument ${specs[i]!.name} must be ${why}`;
  }
  return null;
}
