// The contract against the service object itself (what the CLI and the hosts wrap).
import { createService } from '../../electron/service';
import { apiContract } from './api-contract';

apiContract('in-process service', async () => {
  const service = createService();
  return { api: service, close: () => service.dispose() };
});
