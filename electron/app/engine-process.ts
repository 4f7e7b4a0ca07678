/**
 * The engine utility process (forked by the main process through engine-entry.mjs): one service
 * instance, and one API endpoint per window port the main process hands over. The main process
 * never sees API traffic; it only brokers ports.
 */
import type { MessagePortMain } from 'electron';
import { serveApi } from '../host/endpoint';
import { createEngineApi } from '../host/engine-api';
import { portCaptureLauncher } from './capture-launcher-port';
import { MainPortTransport } from './main-port-transport';

/** What the main process sends on the parent port. */
export interface EngineControlMessage {
  readonly type: 'connect';
}

// Capture processes are started by the main process (utilityProcess.fork): see capture-relay.ts.
const capture = portCaptureLauncher(process.parentPort);
const engine = await createEngineApi({ captureLauncher: capture.launcher });

process.parentPort.on('message', (e) => {
  if (capture.deliver(e.data)) return;
  const m = e.data as Partial<EngineControlMessage> | null;
  const port: MessagePortMain | undefined = e.ports[0];
  if (m?.type === 'connect' && port) serveApi(engine.api, new MainPortTransport(port));
});
