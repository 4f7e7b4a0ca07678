/**
 * What the renderer gets besides DbwireApi: the desktop shell (native dialogs, menus, files
 * dropped or opened from the OS, the engine process state). The Electron preload implements it
 * over IPC to the main process; in a browser (`dbwire serve`) browser-shell.ts implements the
 * parts that make sense there. Paths are plain strings; nothing here is rendered as HTML.
 */
import type { SessionInfo } from './types';

/** Menu items the renderer carries out (the main process handles Open, Quit and the like itself). */
export const MENU_COMMANDS = [
  'save-capture', 'export-packets', 'capture-interfaces', 'capture-start', 'capture-stop', 'capture-restart',
  'view-connections', 'view-queries', 'view-packets', 'view-find',
] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

export type EngineState = 'starting' | 'running' | 'crashed';

export type ShellEvent =
  /** Open this capture (from the OS, the File menu, Open Recent, or a drop the shell resolved). */
  | { readonly type: 'open-file'; readonly path: string }
  /** A session the engine side opened on its own (`dbwire serve FILE`). */
  | { readonly type: 'session-opened'; readonly session: SessionInfo }
  | { readonly type: 'menu'; readonly command: MenuCommand }
  /** The engine process state; on 'crashed' the open sessions are gone (live capture spools are kept on disk). */
  | { readonly type: 'engine'; readonly state: EngineState; readonly message?: string };

export type SaveKind = 'capture' | 'export';

export interface DbwireShell {
  readonly kind: 'desktop' | 'browser';
  /** Native "Open capture" dialog; null when cancelled (or not available: browser). */
  chooseCaptureFile(): Promise<string | null>;
  /** Native save dialog for a capture or an export; null when cancelled (or not available). */
  chooseSavePath(kind: SaveKind, suggestedName: string): Promise<string | null>;
  /** The file system path of a dropped File (desktop; '' in a browser, where it is unknown). */
  pathForFile(file: File): string;
  /** Remembers a file in Open Recent (desktop). */
  addRecentFile(path: string): Promise<void>;
  /** Starts the engine process again after it died (desktop). */
  restartEngine(): Promise<void>;
  /** Application, Electron, Chromium and Node versions, for Help → About. */
  versions(): Promise<Readonly<Record<string, string>>>;
  onShellEvent(listener: (e: ShellEvent) => void): () => void;
}
