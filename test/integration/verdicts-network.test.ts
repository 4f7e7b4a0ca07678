// Connection verdicts that come from the network rather than the database (issue 5 acceptance):
// firewalls that drop SYNs or data and a lossy path, reproduced with iptables in a private network
// namespace; refused ports, resets, idleness and connection churn on the host's loopback. Each test
// captures real traffic with tcpdump, runs `dbwire conns --json`, and checks the verdict code, the
// evidence it names (pinned with tshark) and the TCP end states.
import { afterAll, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { captureWhile } from '../support/capture';
import { Netns } from '../support/netns';
import { freePort } from '../support/servers';
import {
  closed, conns, connTo, expectEvidenceNamed, framesWhere, hostConnect, hostServer, nextData, runNsClient, startNsServer,
} from '../support/scenarios';
import { delay } from '../support/timing';

const PORT = 15432; // inside a namespace of our own: nothing else listens there
const log: string[] = [];

/** Runs `f` with a fresh network namespace, removed afterwards (its processes die with it). */
async function withNs(f: (ns: Netns) => Promise<void>): Promise<void> {
  const ns = Netns.create();
  try {
    await f(ns);
  } finally {
    ns.destroy();
  }
}

afterAll(() => {
  if (log.length) console.log(log.join('\n'));
});

// Every test has its own namespace or port, so they run side by side (most of their time is waiting).
describe.concurrent('verdicts from the network path (iptables in a network namespace)', () => {
  it('no-response: a firewall drops the SYN; the client retries, then gives up', () => withNs(async (ns) => {
    await startNsServer(ns, PORT, 'sink');
    ns.iptables(['-A', 'INPUT', '-p', 'tcp', '--dport', String(PORT), '--syn', '-j', 'DROP']);
    const file = await captureWhile({ ports: [PORT], netns: ns.name, file: 'verdicts-no-response.pcap' }, async () => {
      // SYNs leave 1 s apart (newer kernels) or at 0, 1, 3 s (older): 2.5 s sees two or three.
      const out = await runNsClient(ns, { port: PORT, send: 10, timeoutMs: 2500 });
      expect(out).toMatchObject({ how: 'timeout', connected: false });
    });
    const res = await conns(file);
    const c = connTo(res, PORT);
    log.push(`no-response: ${c.verdict_text}`);
    expect(c.verdict).toBe('no-response');
    const syns = await framesWhere(file, 'tcp.flags.syn==1 && tcp.flags.ack==0');
    expect(syns.length).toBeGreaterThanOrEqual(2);
    expect(c.evidence).toEqual(syns);
    expect(c.verdict_text).toMatch(new RegExp(`^No response: ${syns.length} SYNs \\(frames ${syns.join(', ')}\\) over [12]\\.\\d\\d s got neither SYN/ACK nor RST; the server is down or a firewall drops the packets\\.$`));
    expect(c.client_state).toBe('SYN_SENT');
    expect(c.packets).toEqual({ client: syns.length, server: 0 });
  }));

  it('data-not-acknowledged: the handshake passes, the login-sized packet is dropped until the client gives up', () => withNs(async (ns) => {
    await startNsServer(ns, PORT, 'sink', 16);
    // Handshake segments are under 100 bytes; anything carrying a real payload is dropped.
    ns.iptables(['-A', 'INPUT', '-p', 'tcp', '--dport', String(PORT), '-m', 'length', '--length', '100:65535', '-j', 'DROP']);
    const file = await captureWhile({ ports: [PORT], netns: ns.name, file: 'verdicts-data-not-acknowledged.pcap' }, async () => {
      const out = await runNsClient(ns, { port: PORT, send: 300, expect: 16, timeoutMs: 2500 });
      expect(out).toMatchObject({ how: 'timeout', connected: true, got: 0 });
    });
    const res = await conns(file);
    const c = connTo(res, PORT);
    log.push(`data-not-acknowledged: ${c.verdict_text}`);
    expect(c.verdict).toBe('data-not-acknowledged');
    const [firstData] = await framesWhere(file, `tcp.dstport==${PORT} && tcp.len>0 && !tcp.analysis.retransmission`);
    const retrans = await framesWhere(file, `tcp.dstport==${PORT} && tcp.analysis.retransmission`);
    expect(retrans.length).toBeGreaterThanOrEqual(3);
    expect(c.retransmissions.client).toBe(retrans.length);
    expect(c.evidence).toEqual([firstData, ...retrans.slice(0, 5)]);
    expect(c.verdict_text).toMatch(new RegExp(`first sent in frame ${firstData}\\) was retransmitted ${retrans.length} times over [12]\\.\\d\\d s \\(frames ${retrans.slice(0, 5).join(', ')}`));
    expectEvidenceNamed(c);
    expect(c.handshake_rtt.syn_to_synack).not.toBeNull();
  }));

  it('network-loss: 10% of the data segments dropped while a few hundred flow', () => withNs(async (ns) => {
    const total = 420_000;
    await startNsServer(ns, PORT, 'count', total);
    // An Ethernet-sized MTU and no GSO: the capture and iptables see one ~1448-byte segment per packet.
    ns.run('ip', ['link', 'set', 'dev', 'lo', 'mtu', '1500', 'gso_max_segs', '1']);
    ns.iptables(['-A', 'INPUT', '-p', 'tcp', '--dport', String(PORT), '-m', 'length', '--length', '100:65535', '-m', 'statistic', '--mode', 'random', '--probability', '0.1', '-j', 'DROP']);
    const file = await captureWhile({ ports: [PORT], netns: ns.name, file: 'verdicts-network-loss.pcap' }, async () => {
      const out = await runNsClient(ns, { port: PORT, send: total, expect: 1, timeoutMs: 30_000 });
      expect(out).toMatchObject({ how: 'done' });
    });
    const res = await conns(file);
    const c = connTo(res, PORT);
    log.push(`network-loss: ${c.verdict_text}`);
    expect(c.verdict).toBe('network-loss');
    // On a path with a sub-millisecond RTT the kernel resends within Wireshark's out-of-order
    // window, so tshark calls many of the resent segments out-of-order rather than retransmissions.
    const retrans = await framesWhere(file, 'tcp.analysis.retransmission || tcp.analysis.fast_retransmission || tcp.analysis.spurious_retransmission');
    const ooo = await framesWhere(file, 'tcp.analysis.out_of_order');
    const resent = [...retrans, ...ooo].sort((a, b) => a - b);
    const resentData = await framesWhere(file, '(tcp.analysis.retransmission || tcp.analysis.fast_retransmission || tcp.analysis.spurious_retransmission || tcp.analysis.out_of_order) && tcp.len>0');
    const data = await framesWhere(file, 'tcp.len>0');
    expect(data.length).toBeGreaterThanOrEqual(280);
    expect(c.retransmissions.client + c.retransmissions.server).toBe(retrans.length);
    expect(resentData.length / data.length).toBeGreaterThan(0.02);
    expect(c.evidence).toEqual(resent.slice(0, 5));
    expect(c.verdict_text).toMatch(new RegExp(`^Network loss: ${resentData.length} of ${data.length} data segments were sent again \\(.*; \\d+\\.\\d%, threshold 2%; first in frames ${resent.slice(0, 5).join(', ')}\\)(, with \\d+ duplicate ACKs)?; RTT \\d+ µs\\.$`));
  }));
});

describe.concurrent('verdicts on the host loopback', () => {
  it('refused: nothing listens on the port', async () => {
    const port = await freePort();
    const file = await captureWhile({ ports: [port], file: 'verdicts-refused.pcap' }, async () => {
      await expect(hostConnect(port)).rejects.toThrow(/ECONNREFUSED/);
    });
    const res = await conns(file);
    const c = connTo(res, port);
    log.push(`refused: ${c.verdict_text}`);
    expect(c.verdict).toBe('refused');
    expect(c.evidence).toEqual([1, 2]);
    expect(c.verdict_text).toBe(`Connection refused: the server answered the SYN (frame 1) with a RST (frame 2); nothing listens on port ${port}, or a firewall rejects it.`);
    expect([c.client_state, c.server_state]).toEqual(['CLOSED', 'CLOSED']);
  });

  it('reset-by-server: the server aborts mid-stream', async () => {
    const srv = await hostServer((s) => {
      let n = 0;
      s.on('data', () => (++n < 3 ? s.write('answer') : s.resetAndDestroy()));
    });
    try {
      const file = await captureWhile({ ports: [srv.port], file: 'verdicts-reset-by-server.pcap' }, async () => {
        const s = await hostConnect(srv.port);
        for (let i = 0; i < 2; i++) { s.write('question'); await nextData(s); }
        s.write('question');
        await closed(s);
      });
      const c = connTo(await conns(file), srv.port);
      log.push(`reset-by-server: ${c.verdict_text}`);
      expect(c.verdict).toBe('reset-by-server');
      const [rst] = await framesWhere(file, `tcp.flags.reset==1 && tcp.srcport==${srv.port}`);
      const lastData = (await framesWhere(file, 'tcp.len>0')).pop()!;
      expect(c.evidence).toEqual([rst]);
      expect(c.closed_by).toEqual({ end: 'server', how: 'RST', frame: rst });
      expect(c.verdict_text).toMatch(new RegExp(`^Reset by the server: RST in frame ${rst}, [\\d.]+ (ms|µs) into the connection, after the last data \\(from the client\\) in frame ${lastData}\\.$`));
      expect([c.client_state, c.server_state]).toEqual(['CLOSED', 'CLOSED']);
    } finally {
      await srv.close();
    }
  });

  it('reset-by-client: the client aborts mid-stream', async () => {
    const srv = await hostServer((s) => s.on('data', () => s.write('answer')));
    try {
      const file = await captureWhile({ ports: [srv.port], file: 'verdicts-reset-by-client.pcap' }, async () => {
        const s = await hostConnect(srv.port);
        for (let i = 0; i < 2; i++) { s.write('question'); await nextData(s); }
        s.resetAndDestroy();
        await closed(s);
      });
      const c = connTo(await conns(file), srv.port);
      log.push(`reset-by-client: ${c.verdict_text}`);
      expect(c.verdict).toBe('reset-by-client');
      const [rst] = await framesWhere(file, `tcp.flags.reset==1 && tcp.dstport==${srv.port}`);
      expect(c.evidence).toEqual([rst]);
      expect(c.closed_by).toEqual({ end: 'client', how: 'RST', frame: rst });
      expectEvidenceNamed(c);
      expect([c.client_state, c.server_state]).toEqual(['CLOSED', 'CLOSED']);
    } finally {
      await srv.close();
    }
  });

  it('idle-no-keepalive: idle past the threshold with no keep-alive (and not when keep-alives flow)', async () => {
    const srv = await hostServer((s) => {
      s.on('data', () => s.write('answer'));
      s.on('end', () => s.end());
    });
    try {
      let quietPort = 0, keptPort = 0;
      const file = await captureWhile({ ports: [srv.port], file: 'verdicts-idle-no-keepalive.pcap' }, async () => {
        const quiet = await hostConnect(srv.port);
        const kept = await hostConnect(srv.port);
        kept.setKeepAlive(true, 1000); // probes after 1 s of idleness
        quietPort = quiet.localPort!; keptPort = kept.localPort!;
        const both = async (f: (s: Socket) => Promise<void>) => { await Promise.all([quiet, kept].map(f)); };
        await both(async (s) => { s.write('question'); await nextData(s); });
        await delay(2600);
        await both(async (s) => { s.write('question'); await nextData(s); });
        await both(async (s) => { s.end(); await closed(s); });
      });
      const res = await conns(file, ['--idle-threshold', '2']);
      const quietRow = res.rows.find((r) => r.client.endsWith(`:${quietPort}`))!;
      const keptRow = res.rows.find((r) => r.client.endsWith(`:${keptPort}`))!;
      log.push(`idle-no-keepalive: ${quietRow.verdict_text}`);
      expect(quietRow.verdict).toBe('idle-no-keepalive');
      expect(quietRow.keepalives).toBe(0);
      expect(quietRow.longest_idle).toBeGreaterThanOrEqual(2.5);
      expectEvidenceNamed(quietRow);
      expect(quietRow.verdict_text).toMatch(/^Idle without keep-alive: no packet for 2\.\d\d s between frames \d+ and \d+ \(threshold 2\.00 s\) and no TCP keep-alive seen; a dead peer would go unnoticed\.$/);
      // The same idleness with keep-alive probes is fine.
      const probes = await framesWhere(file, `tcp.analysis.keep_alive && tcp.srcport==${keptPort}`);
      expect(probes.length).toBeGreaterThanOrEqual(1);
      expect(keptRow.keepalives).toBe(probes.length);
      expect(keptRow.verdict).toBe('ok');
      // Under the default threshold (300 s) the quiet connection is fine too.
      const dflt = await conns(file);
      expect(dflt.rows.find((r) => r.client.endsWith(`:${quietPort}`))!.verdict).toBe('ok');
    } finally {
      await srv.close();
    }
  });

  it('connection-churn: dozens of short connections in a burst, each leaving a TIME_WAIT', async () => {
    const N = 40;
    const srv = await hostServer((s) => {
      s.on('data', () => s.write('PONG'));
      s.on('end', () => s.end());
    });
    try {
      // A small snaplen (the payloads are 4 bytes) keeps tcpdump's ring from overflowing in the burst.
      const file = await captureWhile({ ports: [srv.port], file: 'verdicts-connection-churn.pcap', snaplen: 256 }, async () => {
        for (let i = 0; i < N; i++) {
          await delay(5);
          const s = await hostConnect(srv.port);
          s.write('PING');
          await nextData(s);
          s.end();
          await closed(s);
        }
      });
      const res = await conns(file);
      log.push(`connection-churn: ${res.summary.capture_verdict_text}`);
      expect(res.rows).toHaveLength(N);
      expect(res.rows.every((r) => r.verdict === 'ok')).toBe(true);
      expect(res.summary.capture_verdict).toBe('connection-churn');
      expect(res.summary.client_states).toEqual({ TIME_WAIT: N });
      expect(res.summary.server_states).toEqual({ CLOSED: N });
      expect(res.summary.capture_verdict_text).toMatch(new RegExp(`^Connection churn: ${N} short connections 127\\.0\\.0\\.1 → 127\\.0\\.0\\.1:${srv.port} in \\d+\\.\\d\\d s \\(\\d+\\.\\d/s, threshold 5/s\\), each under 2 s; ${N} left in TIME_WAIT\\. Use a connection pool\\.$`));
    } finally {
      await srv.close();
    }
  });
});
