/**
 * The plain-words verdict of one connection: a stable code, a sentence naming the evidence
 * (frames, counts, times, the threshold that decided), and the frames behind it.
 */
import { percentile } from '../digest';
import { isQuiet, type TxStats } from './tx-stats';
import type { ConnRecord, PayloadMark } from './record';
import type { Thresholds } from './thresholds';

export type VerdictCode =
  | 'ok' | 'no-response' | 'refused' | 'data-not-acknowledged' | 'login-failed' | 'unknown-database'
  | 'too-many-connections' | 'tls-required' | 'tls-mismatch' | 'server-closed-idle' | 'reset-by-server'
  | 'reset-by-client' | 'slow-responses' | 'network-loss' | 'idle-no-keepalive';

export interface Verdict {
  readonly code: VerdictCode;
  readonly text: string;
  readonly evidence: readonly number[];
}

const AUTH_CODES = new Set(['1045', '1698', '1044', '28P01', '28000', '18456']);
const UNKNOWN_DB_CODES = new Set(['1049', '3D000', '4060']);
const TOO_MANY_CODES = new Set(['1040', '1203', '53300']);
const TLS_REQUIRED_CODES = new Set(['3159']);
const TLS_WORDS = /\b(SSL|TLS|insecure transport|encryption)\b/i;

const secs = (s: number) => (s >= 10 ? `${s.toFixed(1)} s` : s >= 1 ? `${s.toFixed(2)} s` : s >= 0.001 ? `${(s * 1000).toFixed(1)} ms` : `${Math.round(s * 1e6)} µs`);
const frames = (f: readonly number[]) => (f.length === 1 ? `frame ${f[0]}` : `frames ${f.slice(0, 5).join(', ')}${f.length > 5 ? ', …' : ''}`);

/** `txs`: the connection's transactions' stats, gathered with th.slowP95Seconds as their slow threshold. */
export function verdictFor(c: ConnRecord, txs: TxStats, th: Thresholds, captureEnd: number): Verdict {
  if (txs.slowThreshold !== th.slowP95Seconds) throw new Error(`transaction stats gathered for a slow threshold of ${txs.slowThreshold} s, not ${th.slowP95Seconds} s`);
  const lat = txs.latencies;
  const handshakeSeen = c.synFrames.length > 0;
  const established = c.synAckFrame !== null || !handshakeSeen;
  const rtt = c.synTime !== null && c.synAckTime !== null ? c.synAckTime - c.synTime : null;

  if (handshakeSeen && c.synAckFrame === null) {
    if (c.rstFromServerToSyn !== null) {
      return { code: 'refused', text: `Connection refused: the server answered the SYN (${frames(c.synFrames.slice(0, 1))}) with a RST (frame ${c.rstFromServerToSyn}); nothing listens on port ${c.serverPort}, or a firewall rejects it.`, evidence: [c.synFrames[0]!, c.rstFromServerToSyn] };
    }
    const span = c.lastTime - c.synTime!;
    return { code: 'no-response', text: `No response: ${c.synFrames.length} SYN${c.synFrames.length > 1 ? 's' : ''} (${frames(c.synFrames)}) over ${secs(span)} got neither SYN/ACK nor RST; the server is down or a firewall drops the packets.`, evidence: c.synFrames.slice(0, 5) };
  }

  const login = c.login;
  if (login?.outcome === 'error') {
    const code = login.errorCode ?? '';
    const msg = login.errorMessage ? ` "${login.errorMessage}"` : '';
    const ev = [login.attemptFrame, login.outcomeFrame].filter((x): x is number => x !== undefined);
    const who = `${login.user ? ` as ${login.user}` : ''}${login.database ? ` to database ${login.database}` : ''}`;
    // "the login as app to database shop (frame 6) got error 1045 "…" (frame 8)"; without a login
    // message the server answered the connection itself (MySQL's ERR in place of the greeting).
    const what = login.attemptFrame !== undefined
      ? `the login${who} (frame ${login.attemptFrame}) got error ${code}${msg} (frame ${login.outcomeFrame})`
      : `the server answered the connection with error ${code}${msg} (frame ${login.outcomeFrame}) before any login`;
    if (TOO_MANY_CODES.has(code)) return { code: 'too-many-connections', text: `Too many connections: ${what}; the server's connection limit is reached.`, evidence: ev };
    if (UNKNOWN_DB_CODES.has(code)) return { code: 'unknown-database', text: `Unknown database: ${what}.`, evidence: ev };
    if (TLS_REQUIRED_CODES.has(code) || (login.errorMessage && TLS_WORDS.test(login.errorMessage) && c.tls.started === undefined)) {
      return { code: 'tls-required', text: `TLS required: the server accepts only encrypted connections, and ${what}. Connect with TLS.`, evidence: ev };
    }
    const hint = AUTH_CODES.has(code) ? ' Check the user name and password (or the server\'s host-based access rules).' : '';
    return { code: 'login-failed', text: `Login failed: ${what}.${hint}`, evidence: ev };
  }

  if (c.tls.requested !== undefined && c.tls.refused !== undefined && !login?.attemptFrame) {
    return { code: 'tls-mismatch', text: `TLS mismatch: the client asked for TLS (frame ${c.tls.requested}), the server refused it (frame ${c.tls.refused}), and the ${c.closedBy?.end ?? 'client'} closed without logging in.`, evidence: [c.tls.requested, c.tls.refused] };
  }

  const unacked = c.clientDataEnd !== null && (c.serverMaxAck === null || ((c.serverMaxAck - c.clientDataEnd) | 0) < 0);
  if (established && c.retransmissions[0] >= th.unackedRetransmissions && unacked && c.packets[1] <= 2 + (c.synAckFrame ? 1 : 0) + c.retransmissions[1] + c.dupAcks) {
    const over = c.clientFirstDataTime !== null ? ` over ${secs(c.lastTime - c.clientFirstDataTime)}` : '';
    return { code: 'data-not-acknowledged', text: `Data not acknowledged: the handshake completed, but the client's data (first sent in frame ${c.clientFirstDataFrame}) was retransmitted ${c.retransmissions[0]} time${c.retransmissions[0] > 1 ? 's' : ''}${over} (${frames(c.retransFrames)}) and never acknowledged; something in the path drops data packets (MTU, firewall, middlebox).`, evidence: [c.clientFirstDataFrame ?? c.firstFrame, ...c.retransFrames.slice(0, 5)] };
  }

  const closed = c.closedBy;
  const idleClose = serverIdleClose(c, th);
  if (closed && idleClose) {
    const { idle, since, goodbye } = idleClose;
    const sinceText = since ? `since frame ${since.frame}` : 'since the connection opened';
    const notice = goodbye ? `sent a last message (frame ${goodbye.frame}${c.unsolicitedError && c.unsolicitedError.frame === goodbye.frame ? `: error ${c.unsolicitedError.code ?? '?'}${c.unsolicitedError.message ? ` "${c.unsolicitedError.message}"` : ''}` : ''}) and ` : '';
    const how = closed.how === 'FIN' ? `${notice}closed it with a FIN (frame ${closed.frame})` : `${notice}reset it (RST, frame ${closed.frame})`;
    const rst = closed.how === 'FIN' ? c.rsts.find((r) => r.from === 'server' && r.frame > closed.frame) : undefined;
    const wrote = closed.how === 'FIN' ? c.clientWroteAfterServerFin : null;
    const after = wrote !== null
      ? ` The client then wrote into the closed connection (frame ${wrote})${rst ? ` and got a RST (frame ${rst.frame})` : ''}.`
      : closed.how === 'FIN' && c.states.state('client') === 'CLOSE_WAIT' ? ' The client has not closed its end and sits in CLOSE_WAIT (a pool holding a dead connection).' : '';
    return {
      code: 'server-closed-idle',
      text: `Server closed an idle connection: after ${secs(idle)} without queries (${sinceText}; threshold ${secs(th.serverIdleCloseSeconds)}) the server ${how}.${after}`,
      evidence: [...(since ? [since.frame] : []), ...(goodbye ? [goodbye.frame] : []), closed.frame, ...(wrote !== null ? [wrote] : []), ...(rst ? [rst.frame] : [])],
    };
  }
  if (closed?.end === 'server' && closed.how === 'FIN' && c.clientWroteAfterServerFin !== null) {
    const rst = c.rsts.find((r) => r.from === 'server' && r.frame > closed.frame);
    if (rst) {
      return {
        code: 'reset-by-server',
        text: `Reset by the server: it closed the connection (FIN, frame ${closed.frame}), the client still wrote into it (frame ${c.clientWroteAfterServerFin}) and got a RST (frame ${rst.frame}); that data was lost.`,
        evidence: [closed.frame, c.clientWroteAfterServerFin, rst.frame],
      };
    }
  }
  if (closed?.how === 'RST' && established) {
    const code = closed.end === 'server' ? 'reset-by-server' : 'reset-by-client';
    // Who spoke last tells a reader whether a request was left waiting (the RST answered it) or not.
    const last = (c.payloadsBeforeClose ?? [])[(c.payloadsBeforeClose ?? []).length - 1];
    const lastText = last ? `, after the last data (from the ${last.end}) in frame ${last.frame}` : ', before any data';
    return { code, text: `Reset by the ${closed.end}: RST in frame ${closed.frame}, ${secs(closed.time - c.firstTime)} into the connection${lastText}.`, evidence: [closed.frame] };
  }

  if (lat.length) {
    const p95 = percentile(lat, 95);
    if (p95 >= th.slowP95Seconds && (rtt === null || p95 > 10 * rtt)) {
      // (p95 reached the threshold: there is a slowest request)
      const slowest = txs.slowest!, listed = txs.slowFirst;
      return {
        code: 'slow-responses',
        text: `Slow responses: p95 ${secs(p95)} over ${lat.length} quer${lat.length === 1 ? 'y' : 'ies'} (threshold ${secs(th.slowP95Seconds)}); ${txs.slowCount} took ${secs(th.slowP95Seconds)} or more (requests in ${frames(listed)}${txs.slowCount > listed.length ? ` and ${txs.slowCount - listed.length} more` : ''}; slowest ${secs(slowest.latency)} in frame ${slowest.requestFrame}); the server's time dominates${rtt !== null ? ` (network RTT ${secs(rtt)})` : ''}.`,
        evidence: [...listed],
      };
    }
  }

  // Segments sent again: retransmissions, and what Wireshark calls out-of-order (on a path with a
  // sub-millisecond RTT, fast recovery resends within its out-of-order window).
  const dataSegs = c.dataSegments[0] + c.dataSegments[1];
  const [retrans, ooo] = c.resentData;
  const resent = retrans + ooo;
  if (dataSegs >= th.lossMinSegments && resent >= th.lossMinResent && resent / dataSegs > th.lossRate) {
    const ev = [...c.retransFrames.slice(0, 5), ...c.oooFrames.slice(0, 5)].sort((a, b) => a - b).slice(0, 5);
    const kinds = [retrans ? `${retrans} retransmission${retrans > 1 ? 's' : ''}` : '', ooo ? `${ooo} out-of-order` : ''].filter(Boolean).join(', ');
    return {
      code: 'network-loss',
      text: `Network loss: ${resent} of ${dataSegs} data segments were sent again (${kinds}; ${((100 * resent) / dataSegs).toFixed(1)}%, threshold ${(th.lossRate * 100).toFixed(0)}%; first in ${frames(ev)})${c.dupAcks ? `, with ${c.dupAcks} duplicate ACK${c.dupAcks > 1 ? 's' : ''}` : ''}${rtt !== null ? `; RTT ${secs(rtt)}` : ''}.`,
      evidence: ev,
    };
  }

  const tailIdle = closed ? 0 : (c.captureBreakAfter ?? captureEnd) - c.lastTime;
  const idle = Math.max(c.longestIdle.seconds, tailIdle);
  if (idle >= th.idleNoKeepaliveSeconds && c.keepalives === 0) {
    const where = tailIdle >= c.longestIdle.seconds ? `since frame ${c.lastFrame} until the end of the capture` : `between frames ${c.longestIdle.fromFrame} and ${c.longestIdle.toFrame}`;
    return { code: 'idle-no-keepalive', text: `Idle without keep-alive: no packet for ${secs(idle)} ${where} (threshold ${secs(th.idleNoKeepaliveSeconds)}) and no TCP keep-alive seen; a dead peer would go unnoticed.`, evidence: [tailIdle >= c.longestIdle.seconds ? c.lastFrame : c.longestIdle.toFrame] };
  }

  return { code: 'ok', text: okSentence(c, txs), evidence: [] };
}

/** (A request without an answer has no latency: the latencies are the queries'.) */
function okSentence(c: ConnRecord, txs: TxStats): string {
  const parts: string[] = [];
  const lat = txs.latencies;
  if (c.login?.outcome === 'ok') parts.push(`Login OK${c.login.user ? ` as ${c.login.user}` : ''}${c.login.database ? ` to ${c.login.database}` : ''}`);
  // Messages that expect no answer (MySQL COM_QUIT, PostgreSQL Terminate) are not queries; errors
  // are all queries (their status is not 'ok').
  if (txs.queries) {
    const first = txs.firstError;
    parts.push(`${txs.queries} quer${txs.queries === 1 ? 'y' : 'ies'}${lat.length ? ` (p95 ${secs(percentile(lat, 95))})` : ''}${txs.errors ? `, ${txs.errors} error${txs.errors > 1 ? 's' : ''} (first: ${first!.errorCode ?? ''} ${first!.errorMessage ?? ''}, frame ${first!.responseFrame})`.replace(/\(\s+/, '(') : ''}`);
  }
  const closed = c.closedBy;
  const last = txs.last;
  if (closed?.how === 'FIN' && last && isQuiet(last) && last.requestFrame <= closed.frame) {
    // The client said goodbye; then either end may close first (MySQL/MariaDB servers often do).
    parts.push(`the client ended the session (frame ${last.requestFrame}) and ${closed.end === 'client' ? '' : 'the server '}closed (FIN, frame ${closed.frame})`);
  } else if (closed) {
    const other = closed.end === 'server' ? 'client' : 'server';
    const waiting = closed.how === 'FIN' && c.states.state(other) === 'CLOSE_WAIT' ? `; the ${other} has not closed its end (CLOSE_WAIT at the end of the capture)` : '';
    parts.push(`${closed.end} closed (${closed.how}, frame ${closed.frame})${waiting}`);
  }
  else parts.push('still open at the end of the capture');
  const s = parts.join('; ');
  return s.charAt(0).toUpperCase() + s.slice(1) + '.';
}

/**
 * Did the server close (FIN or RST) a connection that was idle? Idle means the last payload
 * before the close came from the server (the client was not waiting for an answer) at least the
 * threshold earlier. A server message after such a silence and right before the close is the
 * server's goodbye (PostgreSQL's FATAL 57P05, MySQL 8's ERR 4031): the idle time ends there.
 */
function serverIdleClose(c: ConnRecord, th: Thresholds): { idle: number; since: PayloadMark | null; goodbye: PayloadMark | null } | null {
  const closed = c.closedBy;
  if (!closed || closed.end !== 'server') return null;
  const p = c.payloadsBeforeClose ?? [];
  const last = p[p.length - 1];
  let r: { idle: number; since: PayloadMark | null; goodbye: PayloadMark | null };
  if (!last) r = { idle: closed.time - (c.handshakeAckTime ?? c.firstTime), since: null, goodbye: null };
  else if (last.end === 'client') return null; // the client was waiting for an answer
  else {
    const prev = p[p.length - 2];
    const goodbye = prev?.end === 'server' && last.time - prev.time >= th.serverIdleCloseSeconds && closed.time - last.time < th.serverIdleCloseSeconds;
    r = goodbye ? { idle: last.time - prev.time, since: prev, goodbye: last } : { idle: closed.time - last.time, since: last, goodbye: null };
  }
  return r.idle >= th.serverIdleCloseSeconds ? r : null;
}
