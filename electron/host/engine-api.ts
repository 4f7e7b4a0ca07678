/**
 * The engine as the host and the Electron engine process run it: the service (DbwireApi) with
 * decoding workers, and a way to shut it down.
 */
import type { DbwireApi } from '../../shared/api/types';
import { createService } from '../service';

export interface EngineApi {
  readonly api: DbwireApi;
  dispose(): Promise<void>;
}

export async function createEngineApi(): Promise<EngineApi> {
  const service = createService();
  return { api: service, dispose: () => service.dispose() };
}
