// The contract through the WebSocket host: real sockets on loopback, the shared client
// (shared/api/client.ts) over the WebSocket transport, the real engine behind the host.
import WebSocket from 'ws';
import { createService } from '../../electron/service';
import { startHost } from '../../electron/host/server';
import { ApiClient } from '../../shared/api/client';
import { connectWebSocket, type WebSocketLike } from '../../shared/api/transport-websocket';
import { apiContract } from './api-contract';

apiContract('WebSocket host', async () => {
  const service = createService();
  const host = await startHost({ api: service });
  const url = `ws://127.0.0.1:${host.port}/ws?token=${host.token}`;
  const client = new ApiClient(await connectWebSocket(new WebSocket(url, { origin: `http://127.0.0.1:${host.port}` }) as unknown as WebSocketLike));
  return {
    api: client,
    close: async () => {
      client.close();
      await host.close();
      await service.dispose();
    },
  };
});
