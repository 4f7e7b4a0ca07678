// The shared API client over a real MessagePort pair, with nothing answering on the other end
// unless the test answers: what happens to calls when the engine goes away or comes back.
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../../../shared/api/client';
import { PortTransport, type PortLike } from '../../../shared/api/transport-port';
import type { ApiEvent } from '../../../shared/api/types';
import type { WireMessage } from '../../../shared/api/wire';

function pair(): { client: PortTransport; engine: PortTransport } {
  const c = new MessageChannel();
  return { client: new PortTransport(c.port1 as unknown as PortLike), engine: new PortTransport(c.port2 as unknown as PortLike) };
}

/** The engine end answers every request with `answer(req)`. */
function answering(engine: PortTransport, answer: (m: Extract<WireMessage, { t: 'req' }>) => WireMessage): void {
  engine.onMessage((m) => { if (m.t === 'req') engine.send(answer(m)); });
}

describe('ApiClient', () => {
  it('fails the calls in flight with engine-stopped when the engine goes away, and says so', async () => {
    const { client: t, engine } = pair();
    const events: ApiEvent[] = [];
    const seen: string[] = [];
    engine.onMessage((m) => { if (m.t === 'req') seen.push(m.method); });
    const client = new ApiClient(t);
    client.onEvent((e) => events.push(e));
    const pending = client.rows('s', 0, 10);
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 5));
    t.closed('the engine process stopped (exit code 9)');
    await expect(pending).rejects.toMatchObject({ code: 'engine-stopped', method: 'rows', message: expect.stringMatching(/exit code 9/) });
    expect(events).toEqual([{ type: 'engine-error', message: expect.stringMatching(/exit code 9/) }]);
    await expect(client.progress('s')).rejects.toMatchObject({ code: 'engine-stopped' });
  });

  it('queues calls made before the first port, and after a restart is announced', async () => {
    const client = new ApiClient();
    const early = client.progress('s1');
    const first = pair();
    answering(first.engine, (m) => ({ t: 'res', id: m.id, ok: true, value: `first:${m.method}` }));
    client.attach(first.client);
    expect(await early).toBe('first:progress');
    first.client.closed('crash');
    client.expectTransport(); // the preload does this when the user asks for a restart
    const during = client.connections('s1');
    const second = pair();
    answering(second.engine, (m) => ({ t: 'res', id: m.id, ok: true, value: `second:${m.method}` }));
    client.attach(second.client);
    expect(await during).toBe('second:connections');
  });

  it('passes engine errors through with their code, and events to every listener until unsubscribed', async () => {
    const { client: t, engine } = pair();
    answering(engine, (m) => ({ t: 'res', id: m.id, ok: false, error: { code: 'invalid-argument', message: 'start: expected a non-negative integer' } }));
    const client = new ApiClient(t);
    await expect(client.rows('s', -1, 1)).rejects.toMatchObject({ name: 'ApiCallError', code: 'invalid-argument', message: 'start: expected a non-negative integer' });
    const a: ApiEvent[] = [], b: ApiEvent[] = [];
    const offA = client.onEvent((e) => a.push(e));
    client.onEvent((e) => b.push(e));
    const ev: ApiEvent = { type: 'capture', stats: { session: 's', received: 1, dropped: 0, ratePerSec: 1, running: true } };
    engine.send({ t: 'evt', event: ev });
    while (b.length < 1) await new Promise((r) => setTimeout(r, 5));
    offA();
    engine.send({ t: 'evt', event: ev });
    while (b.length < 2) await new Promise((r) => setTimeout(r, 5));
    expect(a).toEqual([ev]);
    expect(b).toEqual([ev, ev]);
  });
});
