/**
 * The preload (sandboxed, bundled to one CommonJS file by build.mjs): runs the API client over
 * the MessagePort the main process hands over, and exposes to the page exactly `window.dbwire`
 * (DbwireApi) and `window.dbwireShell` (DbwireShell), built from closed tables in preload-api.ts.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { ApiClient } from '../../shared/api/client';
import { PortTransport } from '../../shared/api/transport-port';
import type { ShellEvent } from '../../shared/api/shell';
import { CONNECT_CHANNEL, ENGINE_PORT_CHANNEL, SHELL_CALLS, SHELL_EVENT_CHANNEL } from './ipc-channels';
import { EXPOSED_API, EXPOSED_SHELL, buildExposedApi, buildExposedShell } from './preload-api';

const client = new ApiClient();
let transport: PortTransport | null = null;
const shellListeners = new Set<(e: ShellEvent) => void>();

ipcRenderer.on(ENGINE_PORT_CHANNEL, (event) => {
  const port = event.ports[0];
  if (!port) return;
  transport = new PortTransport(port);
  client.attach(transport);
});

ipcRenderer.on(SHELL_EVENT_CHANNEL, (_event, e: ShellEvent) => {
  // The engine process died: fail the calls in flight now rather than leave them hanging.
  if (e.type === 'engine' && e.state === 'crashed') transport?.closed(e.message ?? 'the engine process stopped');
  for (const l of [...shellListeners]) l(e);
});

contextBridge.exposeInMainWorld(EXPOSED_API, buildExposedApi(client));
contextBridge.exposeInMainWorld(EXPOSED_SHELL, buildExposedShell({
  invoke: (call, args) => {
    if (call === 'restartEngine') client.expectTransport();
    return ipcRenderer.invoke(SHELL_CALLS[call].channel, ...args);
  },
  pathForFile: (file) => webUtils.getPathForFile(file),
  onShellEvent: (listener) => {
    shellListeners.add(listener);
    return () => { shellListeners.delete(listener); };
  },
}));

ipcRenderer.send(CONNECT_CHANNEL);
