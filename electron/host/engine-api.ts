/**
 * The engine as the host and the Electron engine process run it: the service (DbwireApi) with
 * decoding workers and live capture, and a way to shut it down.
 */
import type { DbwireApi } from '../../shared/api/types';
import type { CaptureLauncher } from '../capture/launcher';
import { createService } from '../service';
import { createLiveCaptureProvider } from '../service/capture-provider-live';

export interface EngineApiOptions {
  /** How the capture process is started (Electron: a utility process); default a forked Node process. */
  readonly captureLauncher?: CaptureLauncher;
}

export interface EngineApi {
  readonly api: DbwireApi;
  dispose(): Promise<void>;
}

export async function createEngineApi(opts: EngineApiOptions = {}): Promise<EngineApi> {
  const service = createService({ captureProvider: createLiveCaptureProvider({ launcher: opts.captureLauncher }) });
  return { api: service, dispose: () => service.dispose() };
}
