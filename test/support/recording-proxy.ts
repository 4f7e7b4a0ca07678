/**
 * A TCP proxy in front of a real server that records every connection's reads in arrival order,
 * so a test can replay the conversation through a decoder the way the TCP driver would.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface Chunk { fromServer: boolean; bytes: Uint8Array }

interface Recording { chunks: Chunk[]; closed: Promise<void> }

export class RecordingProxy {
  private readonly recordings: Recording[] = [];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly upstreamPort: number) {}

  /** How many connections the proxy has accepted so far. */
  get count(): number {
    return this.recordings.length;
  }

  /**
   * The reads of connection `index` once both of its sockets have closed: a client that has seen an
   * answer may return before the proxy has read the rest of the server's bytes (e.g. PostgreSQL's
   * ReadyForQuery in a later segment than the ErrorResponse), so replaying earlier would race.
   */
  async recorded(index: number): Promise<Chunk[]> {
    const r = this.recordings[index];
    if (!r) throw new Error(`the proxy has accepted ${this.recordings.length} connections, not ${index + 1}`);
    await r.closed;
    return r.chunks;
  }

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const chunks: Chunk[] = [];
      const upstream = connect(this.upstreamPort, '127.0.0.1');
      const closedOnce = (s: Socket): Promise<void> => new Promise((r) => s.once('close', () => r()));
      this.recordings.push({ chunks, closed: Promise.all([closedOnce(client), closedOnce(upstream)]).then(() => undefined) });
      for (const s of [client, upstream]) this.sockets.add(s);
      client.on('data', (b) => { chunks.push({ fromServer: false, bytes: new Uint8Array(b) }); upstream.write(b); });
      upstream.on('data', (b) => { chunks.push({ fromServer: true, bytes: new Uint8Array(b) }); client.write(b); });
      client.on('end', () => upstream.end());
      upstream.on('end', () => client.end());
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const a = this.server.address();
    this.port = typeof a === 'object' && a ? a.port : 0;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
