/**
 * Engine-process side of live capture in the app: a CaptureLauncher that asks the main process
 * (over the engine's parent port) to start the capture process as a utility process, and relays
 * its messages. The live-capture code sees the same CaptureChild as with a forked process.
 */
import type { CaptureChild, CaptureLauncher } from '../capture/launcher';
import type { CaptureMessage, ControlMessage } from '../capture/types';

/** Engine → main. */
export type CaptureRelayRequest =
  | { readonly type: 'capture-launch'; readonly id: number; readonly config: string }
  | { readonly type: 'capture-control'; readonly id: number; readonly message: ControlMessage }
  | { readonly type: 'capture-kill'; readonly id: number };

/** Main → engine. */
export type CaptureRelayReply =
  | { readonly type: 'capture-spawn'; readonly id: number; readonly pid: number }
  | { readonly type: 'capture-message'; readonly id: number; readonly message: unknown }
  | { readonly type: 'capture-stderr'; readonly id: number; readonly text: string }
  | { readonly type: 'capture-exit'; readonly id: number; readonly code: number; readonly stderr?: string };

interface ParentPort {
  postMessage(m: unknown): void;
}

interface ChildState {
  pid: number | undefined;
  exited: boolean;
  readonly message: ((m: CaptureMessage) => void)[];
  readonly stderr: ((t: string) => void)[];
  readonly exit: ((code: number | null, signal: string | null) => void)[];
}

/**
 * The launcher, and `deliver` for the engine's parent-port handler: it takes the main process's
 * replies (returns false for messages that are not about capture).
 */
export function portCaptureLauncher(port: ParentPort): { launcher: CaptureLauncher; deliver: (raw: unknown) => boolean } {
  const children = new Map<number, ChildState>();
  let nextId = 1;
  const request = (m: CaptureRelayRequest) => port.postMessage(m);

  const launcher: CaptureLauncher = (config) => {
    const id = nextId++;
    const st: ChildState = { pid: undefined, exited: false, message: [], stderr: [], exit: [] };
    children.set(id, st);
    request({ type: 'capture-launch', id, config: JSON.stringify(config) });
    const child: CaptureChild = {
      get pid() { return st.pid; },
      get connected() { return !st.exited; },
      send: (m) => request({ type: 'capture-control', id, message: m }),
      kill: () => request({ type: 'capture-kill', id }),
      onMessage: (l) => { st.message.push(l); },
      onStderr: (l) => { st.stderr.push(l); },
      onExit: (l) => { st.exit.push(l); },
    };
    return child;
  };

  const deliver = (raw: unknown): boolean => {
    const m = raw as Partial<CaptureRelayReply> | null;
    if (!m || typeof m !== 'object' || typeof m.type !== 'string' || !m.type.startsWith('capture-') || typeof m.id !== 'number') return false;
    const st = children.get(m.id);
    if (!st) return true;
    const r = m as CaptureRelayReply;
    switch (r.type) {
      case 'capture-spawn': st.pid = r.pid; break;
      case 'capture-message': for (const l of st.message) l(r.message as CaptureMessage); break;
      case 'capture-stderr': for (const l of st.stderr) l(r.text); break;
      case 'capture-exit':
        if (r.stderr) for (const l of st.stderr) l(r.stderr);
        st.exited = true;
        children.delete(r.id);
        for (const l of st.exit) l(r.code, null);
        break;
    }
    return true;
  };

  return { launcher, deliver };
}
