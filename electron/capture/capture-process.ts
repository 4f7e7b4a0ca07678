/**
 * The capture process: runs one backend, writes every packet to the spool, and tells the parent
 * (over the IPC channel) how far the spool is complete, a few times a second. It never sends
 * packets: the parent reads them from the spool. Ends on a stop message, SIGINT/SIGTERM, a stop
 * condition, or the parent going away, always flushing the spool first.
 */
import { CapBackend } from './backends/cap-backend';
import { StreamBackend, dumpcapCommand, sshCommand, tcpdumpCommand } from './backends/stream-backend';
import type { CaptureBackend, PacketSink } from './backends/backend';
import { CaptureFailure } from './failure';
import { rmSync } from 'node:fs';
import { SpoolWriter } from './spool';
import type { CaptureConfig, CaptureMessage, ControlMessage } from './types';

const TICK_MS = 50;
/** Progress is sent when something changed, and at least this often (a heartbeat). */
const HEARTBEAT_MS = 250;

/**
 * The channel to the parent: Node's IPC when forked, the parent port when started as an Electron
 * utility process (process.parentPort exists only there; `electron` is not imported here).
 */
interface ParentPort {
  postMessage(m: unknown): void;
  on(event: 'message', l: (e: { data: unknown }) => void): void;
}
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
let portOpen = !!parentPort;

function send(m: CaptureMessage): void {
  if (parentPort) { if (portOpen) parentPort.postMessage(m); }
  else if (process.connected) process.send!(m);
}

function disconnect(): void {
  if (parentPort) portOpen = false;
  else if (process.connected) process.disconnect();
}

function onControl(l: (m: ControlMessage) => void): void {
  if (parentPort) parentPort.on('message', (e) => l(e.data as ControlMessage));
  else process.on('message', (m: ControlMessage) => l(m));
}

function makeBackend(c: CaptureConfig, sink: PacketSink): CaptureBackend {
  if (c.ssh) return new StreamBackend(sshCommand(c.ssh, c.iface, c.filter, c.bufferMiB), sink);
  switch (c.backend) {
    case 'cap': return new CapBackend(c.iface, c.filter, c.bufferMiB * 1024 * 1024, sink);
    case 'dumpcap': return new StreamBackend(dumpcapCommand(c.iface, c.filter, c.bufferMiB), sink);
    case 'tcpdump': return new StreamBackend(tcpdumpCommand(c.iface, c.filter, c.bufferMiB), sink);
  }
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as CaptureConfig;
  let spool: SpoolWriter | null = null;
  let stopping: Promise<void> | null = null;
  /**
   * No more packets: a count or size limit was reached, or the backend has stopped. Not set by a
   * stop request itself: a capture tool delivers what it captured before the request afterwards
   * (up to its hold time, see stream-backend.ts), and those packets belong in the spool.
   */
  let closed = false;
  let stopReason = '';
  let received = 0;
  let linkType: number | null = null;
  const maxPackets = config.stop.packets ?? Infinity;
  const maxBytes = config.stop.kilobytes ? config.stop.kilobytes * 1000 : Infinity;

  const sink: PacketSink = {
    addInterface(ifc) {
      linkType ??= ifc.linkType;
      return spool!.addInterface(ifc);
    },
    packet(iface, s, n, data, origLen) {
      if (closed || !spool) return;
      received++;
      spool.write(iface, s, n, data, origLen);
      if (spool.packets >= maxPackets) { closed = true; requestStop('packet count reached'); }
      else if (spool.size >= maxBytes) { closed = true; requestStop('file size reached'); }
    },
  };
  const backend = makeBackend(config, sink);

  const counters = () => ({
    packets: spool?.flushedPackets ?? 0, spoolBytes: spool?.flushedBytes ?? 0, received, dropped: backend.dropped(),
  });

  function requestStop(reason: string): void {
    if (stopping) return;
    stopReason = reason;
    stopping = (async () => {
      try { await backend.stop(); } catch { /* stopping anyway */ }
      closed = true;
      clearInterval(ticker);
      await spool?.close();
      send({ type: 'stopped', reason: stopReason, ...counters() });
      // Let the IPC message go out before exiting.
      disconnect();
      setTimeout(() => process.exit(0), 20).unref();
    })();
  }

  process.on('SIGINT', () => requestStop('interrupted'));
  process.on('SIGTERM', () => requestStop('terminated'));
  onControl((m) => { if (m?.type === 'stop') requestStop('stopped'); });
  // A utility process is ended by Electron when its parent goes; a forked one sees the channel close.
  if (!parentPort) process.on('disconnect', () => requestStop('parent gone'));

  let lastSent = 0, lastPackets = -1;
  const ticker = setInterval(() => {
    if (!spool || closed) return;
    spool.flush();
    const now = Date.now();
    if (spool.flushedPackets !== lastPackets || now - lastSent >= HEARTBEAT_MS) {
      lastPackets = spool.flushedPackets;
      lastSent = now;
      send({ type: 'progress', ...counters() });
    }
  }, TICK_MS);

  backend.onEnd = (err) => requestStop(err ? `backend ended: ${err.message}` : 'backend ended');
  // Open the spool first: a stream backend's first packets may arrive before its "ready" line.
  spool = new SpoolWriter(config.spoolPath, config.flushMs);
  spool.onError = (e) => requestStop(`spool: ${e.message}`);
  try {
    await backend.start();
  } catch (e) {
    clearInterval(ticker);
    await spool.close();
    rmSync(config.spoolPath, { force: true });
    spool = null;
    const f = e instanceof CaptureFailure ? e : new CaptureFailure('backend', (e as Error).message);
    send({ type: 'failed', kind: f.kind, message: f.message, fix: f.fix });
    stopping = Promise.resolve(); // nothing left to stop
    disconnect();
    process.exitCode = 3;
    if (parentPort) setTimeout(() => process.exit(3), 20).unref();
    return;
  }
  spool.flush();
  send({ type: 'started', backend: backend.name, linkType });
  if (config.stop.seconds) setTimeout(() => requestStop('duration reached'), config.stop.seconds * 1000).unref();
  if (stopping) return;
}

main().catch((e: unknown) => {
  send({ type: 'failed', kind: 'backend', message: e instanceof Error ? e.message : String(e) });
  process.exitCode = 3;
});
