/**
 * How the capture process is started. The CLI, the web host and tests fork a Node process; the
 * packaged Electron app cannot (its RunAsNode fuse is off), so electron/app/ supplies a launcher
 * that starts it as a utility process instead. Either way the parent sees this interface.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CaptureConfig, CaptureMessage, ControlMessage } from './types';

export interface CaptureChild {
  readonly pid: number | undefined;
  /** Whether messages can still be sent to the process. */
  readonly connected: boolean;
  send(m: ControlMessage): void;
  kill(): void;
  onMessage(listener: (m: CaptureMessage) => void): void;
  /** Text the process writes to stderr (for error reports). */
  onStderr(listener: (text: string) => void): void;
  /** Once, when the process is gone (signal null when it exited by itself). */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
}

export type CaptureLauncher = (config: CaptureConfig) => CaptureChild;

/** The capture process's entry (through tsx, as the CLI runs without a build step). */
export const CAPTURE_ENTRY = fileURLToPath(new URL('./run-ts.mjs', import.meta.url));
export const CAPTURE_ARGS = (config: CaptureConfig): string[] => ['capture-process.ts', JSON.stringify(config)];

/** Forks the capture process as a plain Node child with an IPC channel. */
export const forkLauncher: CaptureLauncher = (config) => {
  const child = fork(CAPTURE_ENTRY, CAPTURE_ARGS(config), { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
  child.stderr!.setEncoding('utf8');
  return {
    get pid() { return child.pid; },
    get connected() { return child.connected; },
    send: (m) => { child.send(m); },
    kill: () => { child.kill('SIGKILL'); },
    onMessage: (l) => { child.on('message', (m) => l(m as CaptureMessage)); },
    onStderr: (l) => { child.stderr!.on('data', (s: string) => l(s)); },
    onExit: (l) => { child.on('close', (code, signal) => l(code, signal)); },
  };
};
