// The contract through a MessagePort endpoint: what an Electron window does (the shared client
// over a port, straight to the engine's endpoint), with Node's MessageChannel in place of
// Electron's, which structured-clones messages the same way.
import { MessageChannel } from 'node:worker_threads';
import { createService } from '../../electron/service';
import { serveApi } from '../../electron/host/endpoint';
import { ApiClient } from '../../shared/api/client';
import { PortTransport, type PortLike } from '../../shared/api/transport-port';
import { apiContract } from './api-contract';

apiContract('MessagePort endpoint', async () => {
  const service = createService();
  const channel = new MessageChannel();
  // Node's MessagePort is an EventTarget like the DOM's; only its typings differ.
  const port1 = channel.port1 as unknown as PortLike, port2 = channel.port2 as unknown as PortLike;
  const engineSide = new PortTransport(port1);
  serveApi(service, engineSide);
  const client = new ApiClient(new PortTransport(port2));
  return {
    api: client,
    close: async () => {
      client.close();
      engineSide.closed('test over');
      await service.dispose();
    },
  };
});
