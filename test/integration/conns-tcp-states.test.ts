// The TCP states `dbwire conns` infers for both ends, on real captures, against the textbook
// (RFC 9293) transitions: normal close by either end, simultaneous close, RST, half-open, and a
// capture that starts mid-connection. The frames of the transitions are pinned with tshark.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect as netConnect, type Socket } from 'node:net';
import mysql from 'mysql2/promise';
import { captureWhile } from '../support/capture';
import { Netns } from '../support/netns';
import { startMariaDB, type DbServer } from '../support/servers';
import {
  closed, conns, connTo, framesWhere, hostConnect, hostServer, nextData, runNsClient, startNsServer, stateSequence, type ConnRow, type HostServer,
} from '../support/scenarios';
import { delay } from '../support/timing';

const OPEN_CLIENT = ['UNKNOWN', 'SYN_SENT', 'ESTABLISHED'];
const OPEN_SERVER = ['LISTEN', 'SYN_RECEIVED', 'ESTABLISHED'];
const frameOf = (row: ConnRow, end: 'client' | 'server', to: string) => row.transitions.find((t) => t.end === end && t.to === to)?.frame;

/** Captures `run` against a fresh host server and returns the parsed `dbwire conns` output. */
async function scenario(name: string, onSocket: (s: Socket) => void, run: (srv: HostServer) => Promise<void>, port = 0) {
  const srv = await hostServer(onSocket, port);
  try {
    const file = await captureWhile({ ports: [srv.port], file: `conns-states-${name}.pcap` }, () => run(srv));
    return { file, srv, res: await conns(file) };
  } finally {
    await srv.close();
  }
}

// Every test has its own port or namespace, so they run side by side.
describe.concurrent('TCP end states on real captures', () => {
  it('normal close by the client', async () => {
    const { file, srv, res } = await scenario('client-close', (s) => {
      s.on('data', () => s.write('answer'));
      s.on('end', () => s.end());
    }, async (srv) => {
      const s = await hostConnect(srv.port);
      s.write('question');
      await nextData(s);
      s.end();
      await closed(s);
    });
    const c = connTo(res, srv.port);
    expect(stateSequence(c, 'client')).toEqual([...OPEN_CLIENT, 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
    expect(stateSequence(c, 'server')).toEqual([...OPEN_SERVER, 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
    const [clientFin] = await framesWhere(file, `tcp.flags.fin==1 && tcp.dstport==${srv.port}`);
    const [serverFin] = await framesWhere(file, `tcp.flags.fin==1 && tcp.srcport==${srv.port}`);
    const lastFrame = (await framesWhere(file, 'tcp')).pop();
    expect(frameOf(c, 'client', 'FIN_WAIT_1')).toBe(clientFin);
    expect(frameOf(c, 'server', 'LAST_ACK')).toBe(serverFin);
    expect(frameOf(c, 'client', 'TIME_WAIT')).toBe(lastFrame);
    expect(frameOf(c, 'server', 'CLOSED')).toBe(lastFrame);
    expect(c.closed_by).toEqual({ end: 'client', how: 'FIN', frame: clientFin });
    expect(c.verdict).toBe('ok');
  });

  it('normal close by the server', async () => {
    const { file, srv, res } = await scenario('server-close', (s) => s.on('data', () => s.end('answer')), async (srv) => {
      const s = await hostConnect(srv.port);
      s.write('question');
      await closed(s);
    });
    const c = connTo(res, srv.port);
    expect(stateSequence(c, 'server')).toEqual([...OPEN_SERVER, 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
    expect(stateSequence(c, 'client')).toEqual([...OPEN_CLIENT, 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
    const [serverFin] = await framesWhere(file, `tcp.flags.fin==1 && tcp.srcport==${srv.port}`);
    const [clientFin] = await framesWhere(file, `tcp.flags.fin==1 && tcp.dstport==${srv.port}`);
    expect(frameOf(c, 'server', 'FIN_WAIT_1')).toBe(serverFin);
    expect(frameOf(c, 'client', 'LAST_ACK')).toBe(clientFin);
    expect(c.closed_by).toEqual({ end: 'server', how: 'FIN', frame: serverFin });
    expect(res.summary.server_states).toEqual({ TIME_WAIT: 1 });
    expect(res.summary.client_states).toEqual({ CLOSED: 1 });
  });

  it('simultaneous close: the FINs cross (the client\'s first FIN is dropped in a namespace)', async () => {
    const ns = Netns.create();
    try {
      const port = 15433;
      await startNsServer(ns, port, 'close');
      // A 1 s minimum RTO: the server's FIN (50 ms after the data) surely leaves before the client resends its FIN.
      for (const dst of ['127.0.0.0/8', '127.0.0.1']) ns.run('ip', ['route', 'replace', 'local', dst, 'dev', 'lo', 'table', 'local', 'proto', 'kernel', 'scope', 'host', 'src', '127.0.0.1', 'rto_min', '1000ms']);
      // Drop the first FIN towards the server: the server closes without having seen it, so each
      // end receives the other's FIN before the ACK of its own.
      ns.iptables(['-A', 'INPUT', '-p', 'tcp', '--dport', String(port), '--tcp-flags', 'FIN', 'FIN', '-m', 'statistic', '--mode', 'nth', '--every', '2', '--packet', '0', '-j', 'DROP']);
      const file = await captureWhile({ ports: [port], netns: ns.name, file: 'conns-states-simultaneous.pcap' }, async () => {
        const out = await runNsClient(ns, { port, send: 3, endAfterSend: true, timeoutMs: 5000 });
        expect(out.how).toBe('closed');
        // The client's kernel resends its FIN after the (1 s) RTO, and the server acknowledges it.
        await delay(1600);
      });
      const c = connTo(await conns(file), port);
      const fins = await framesWhere(file, 'tcp.flags.fin==1');
      expect(fins.length, 'client FIN, server FIN, client FIN again').toBe(3);
      expect(stateSequence(c, 'client')).toEqual([...OPEN_CLIENT, 'FIN_WAIT_1', 'CLOSING', 'TIME_WAIT']);
      expect(stateSequence(c, 'server')).toEqual([...OPEN_SERVER, 'FIN_WAIT_1', 'CLOSING', 'TIME_WAIT']);
      expect(frameOf(c, 'client', 'FIN_WAIT_1')).toBe(fins[0]);
      expect(frameOf(c, 'server', 'CLOSING')).toBe(fins[1]);
      expect(frameOf(c, 'client', 'CLOSING')).toBe(fins[1]);
    } finally {
      ns.destroy();
    }
  });

  it('RST close', async () => {
    const { file, srv, res } = await scenario('rst', (s) => s.on('data', () => s.write('answer')), async (srv) => {
      const s = await hostConnect(srv.port);
      s.write('question');
      await nextData(s);
      s.resetAndDestroy();
      await closed(s);
    });
    const c = connTo(res, srv.port);
    const [rst] = await framesWhere(file, 'tcp.flags.reset==1');
    expect(stateSequence(c, 'client')).toEqual([...OPEN_CLIENT, 'CLOSED']);
    expect(stateSequence(c, 'server')).toEqual([...OPEN_SERVER, 'CLOSED']);
    expect(frameOf(c, 'client', 'CLOSED')).toBe(rst);
    expect(frameOf(c, 'server', 'CLOSED')).toBe(rst);
    expect(c.closed_by).toEqual({ end: 'client', how: 'RST', frame: rst });
  });

  it('half-open: the server closed; one client writes into it (RST), one sits in CLOSE_WAIT', async () => {
    let writerPort = 0, sitterPort = 0;
    // The server answers, then closes its socket completely (FIN; its kernel answers later data with a RST).
    const { file, srv, res } = await scenario('half-open', (s) => s.on('data', () => s.end('answer', () => s.destroy())), async (srv) => {
      const writer = await hostConnect(srv.port, { allowHalfOpen: true });
      const sitter = await hostConnect(srv.port, { allowHalfOpen: true });
      writerPort = writer.localPort!; sitterPort = sitter.localPort!;
      const ended = (s: Socket) => new Promise<void>((r) => { s.once('end', () => r()); s.resume(); });
      const bothEnded = Promise.all([ended(writer), ended(sitter)]);
      writer.write('question'); sitter.write('question');
      await bothEnded;
      await delay(200);
      writer.write('late question');
      // The RST comes back at once; Node notices it only on a later read or write.
      await delay(100);
      writer.destroy();
    });
    const w = res.rows.find((r) => r.client.endsWith(`:${writerPort}`))!;
    const s = res.rows.find((r) => r.client.endsWith(`:${sitterPort}`))!;
    expect(stateSequence(w, 'client')).toEqual([...OPEN_CLIENT, 'CLOSE_WAIT', 'CLOSED']);
    expect(stateSequence(w, 'server')).toEqual([...OPEN_SERVER, 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSED']);
    const [rst] = await framesWhere(file, `tcp.flags.reset==1 && tcp.srcport==${srv.port}`);
    expect(frameOf(w, 'client', 'CLOSED')).toBe(rst);
    expect(stateSequence(s, 'client')).toEqual([...OPEN_CLIENT, 'CLOSE_WAIT']);
    expect(stateSequence(s, 'server')).toEqual([...OPEN_SERVER, 'FIN_WAIT_1', 'FIN_WAIT_2']);
    const [fin] = await framesWhere(file, `tcp.flags.fin==1 && tcp.srcport==${srv.port} && tcp.dstport==${writerPort}`);
    const [late] = await framesWhere(file, `tcp.dstport==${srv.port} && tcp.srcport==${writerPort} && tcp.payload contains "late"`);
    expect(w.verdict).toBe('reset-by-server');
    expect(w.evidence).toEqual([fin, late, rst]);
    expect(w.verdict_text).toBe(`Reset by the server: it closed the connection (FIN, frame ${fin}), the client still wrote into it (frame ${late}) and got a RST (frame ${rst}); that data was lost.`);
    expect(s.verdict).toBe('ok');
    expect(s.verdict_text).toMatch(/^Server closed \(FIN, frame \d+\); the client has not closed its end \(CLOSE_WAIT at the end of the capture\)\.$/);
    expect(res.summary.client_states).toEqual({ CLOSED: 1, CLOSE_WAIT: 1 });
    expect(res.summary.server_states).toEqual({ CLOSED: 1, FIN_WAIT_2: 1 });
  });

  it('a capture that starts mid-connection: both ends ESTABLISHED from their first packet', async () => {
    // A server port under the ephemeral range, so "the lower port is the server" holds.
    const port = 20000 + Math.floor(Math.random() * 9000);
    let client: Socket | null = null;
    const srvReady = hostServer((s) => {
      s.on('data', () => s.write('answer'));
      s.on('end', () => s.end());
    }, port);
    const srv = await srvReady;
    try {
      client = await hostConnect(srv.port);
      const clientPort = client.localPort!;
      client.write('before the capture');
      await nextData(client);
      const file = await captureWhile({ ports: [srv.port], file: 'conns-states-mid.pcap' }, async () => {
        client!.write('question');
        await nextData(client!);
        client!.end();
        await closed(client!);
      });
      const c = connTo(await conns(file), srv.port);
      expect(c.client).toBe(`127.0.0.1:${clientPort}`);
      expect(stateSequence(c, 'client')).toEqual(['UNKNOWN', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
      expect(stateSequence(c, 'server')).toEqual(['UNKNOWN', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
      expect(frameOf(c, 'client', 'ESTABLISHED')).toBe(1);
      expect(c.handshake_rtt).toEqual({ syn_to_synack: null, synack_to_ack: null });
      expect(c.verdict).toBe('ok');
    } finally {
      client?.destroy();
      await srv.close();
    }
  });
});

describe('a MariaDB capture that starts mid-connection', () => {
  let db: DbServer;
  beforeAll(async () => { db = await startMariaDB(); });
  afterAll(async () => { await db?.stop(); });

  it('with -d tcp.port==N,mysql the DB port is the server even though the client\'s port is lower', async () => {
    // The client's port is the lower one, so "the lower port is the server" alone would get the
    // roles backwards. (Like Wireshark, we do not recognise MySQL mid-stream on a non-standard
    // port without -d.)
    const localPort = 20000 + Math.floor(Math.random() * 9000);
    const conn = await mysql.createConnection({
      user: 'app', password: 'secret', database: 'shop',
      stream: () => netConnect({ host: db.host, port: db.port, localPort }),
    });
    await conn.query('SELECT 1');
    const file = await captureWhile({ ports: [db.port], file: 'conns-states-mid-mariadb.pcap' }, async () => {
      await conn.query('SELECT 2');
      await conn.query('SELECT 3');
      await conn.end();
    });
    const res = await conns(file, ['-d', `tcp.port==${db.port},mysql`]);
    const c = connTo(res, db.port);
    expect(c.client).toBe(`127.0.0.1:${localPort}`);
    expect(c.protocol).toBe('mysql');
    expect(c.transactions).toBeGreaterThanOrEqual(2);
    const [firstFin] = await framesWhere(file, 'tcp.flags.fin==1');
    expect(c.closed_by?.frame).toBe(firstFin);
    expect(stateSequence(c, 'client')[0]).toBe('UNKNOWN');
    expect(stateSequence(c, 'client')[1]).toBe('ESTABLISHED');
    const closer = c.closed_by!.end;
    const other = closer === 'client' ? 'server' : 'client';
    expect(stateSequence(c, closer).slice(2)).toEqual(['FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
    expect(stateSequence(c, other).slice(2)).toEqual(['CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
    expect(c.verdict).toBe('ok');
  });
});
