/**
 * The plain-words verdict of one connection: a stable code, a sentence naming the evidence
 * (frames, counts, times, the threshold that decided), and the frames behind it.
 */
import type { Transaction } from '../../../../shared/api/types';
import { percentile } from '../digest';
import type { ConnRecord } from './record';
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

const secs = (s: number) => (s >= 10 ? `${s.toFixed(1)} s` : s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(1)} ms`);
const frames = (f: readonly number[]) => (f.length === 1 ? `frame ${f[0]}` : `frames ${f.slice(0, 5).join(', ')}${f.length > 5 ? ', …' : ''}`);

export function verdictFor(c: ConnRecord, txs: readonly Transaction[], th: Thresholds, captureEnd: number): Verdict {
  const handshakeSeen = c.synFrames.length > 0;
  const established = c.synAckFrame !== null || !handshakeSeen;
  const rtt = c.synTime !== null && c.synAckTime !== null ? c.synAckTime - c.synTime : null;

  if (handshakeSeen && c.synAckFrame === null) {
    if (c.rstFromServerToSyn !== null) {
      return { code: 'refused', text: `Connection refused: the server answered the SYN (${frames(c.synFrames.slice(0, 1))}) with a RST (frame ${c.rstFromServerToSyn}); nothing listens on port ${c.serverPort}, or a firewall rejects it.`, evidence: [c.synFrames[0]!, c.rstFromServerToSyn] };
    }
    const span = c.lastTime - c.synTime!;
    return { code: 'no-response', text: `No response: ${c.synFrames.length} SYN${c.synFrames.length > 1 ? 's' : ''} (${frames(c.synFrames)}) over ${secs(span)} got neither SYN/ACK nor RST; the server is down or a firewall drops the packets.`, evidence: c.synFrames };
  }

  const login = c.login;
  if (login?.outcome === 'error') {
    const code = login.errorCode ?? '';
    const msg = login.errorMessage ? ` "${login.errorMessage}"` : '';
    const ev = [login.attemptFrame, login.outcomeFrame].filter((x): x is number => x !== undefined);
    const who = `${login.user ? ` as ${login.user}` : ''}${login.database ? ` to database ${login.database}` : ''}`;
    if (TOO_MANY_CODES.has(code)) return { code: 'too-many-connections', text: `Too many connections: the server refused the login${who} with error ${code}${msg} (frame ${login.outcomeFrame}); its connection limit is reached.`, evidence: ev };
    if (UNKNOWN_DB_CODES.has(code)) return { code: 'unknown-database', text: `Unknown database: login${who} failed with error ${code}${msg} (frame ${login.outcomeFrame}).`, evidence: ev };
    if (TLS_REQUIRED_CODES.has(code) || (login.errorMessage && TLS_WORDS.test(login.errorMessage) && c.tls.started === undefined)) {
      return { code: 'tls-required', text: `TLS required: the server refused the unencrypted login${who} with error ${code}${msg} (frame ${login.outcomeFrame}); connect with TLS.`, evidence: ev };
    }
    const hint = AUTH_CODES.has(code) ? ' Check the user name and password (or the server\'s host-based access rules).' : '';
    return { code: 'login-failed', text: `Login failed${who}: error ${code}${msg} (frame ${login.outcomeFrame}).${hint}`, evidence: ev };
  }

  if (c.tls.requested !== undefined && c.tls.refused !== undefined && !login?.attemptFrame) {
    return { code: 'tls-mismatch', text: `TLS mismatch: the client asked for TLS (frame ${c.tls.requested}), the server refused it (frame ${c.tls.refused}), and the ${c.closedBy?.end ?? 'client'} closed without logging in.`, evidence: [c.tls.requested, c.tls.refused] };
  }

  const unacked = c.clientDataEnd !== null && (c.serverMaxAck === null || ((c.serverMaxAck - c.clientDataEnd) | 0) < 0);
  if (established && c.retransmissions[0] >= th.unackedRetransmissions && unacked && c.packets[1] <= 2 + (c.synAckFrame ? 1 : 0) + c.retransmissions[1] + c.dupAcks) {
    return { code: 'data-not-acknowledged', text: `Data not acknowledged: the handshake completed, but the client's data (first sent in frame ${c.clientFirstDataFrame}) was retransmitted ${c.retransmissions[0]} time${c.retransmissions[0] > 1 ? 's' : ''} (${frames(c.retransFrames)}) and never acknowledged; something in the path drops data packets (MTU, firewall, middlebox).`, evidence: [c.clientFirstDataFrame ?? c.firstFrame, ...c.retransFrames.slice(0, 5)] };
  }

  const closed = c.closedBy;
  if (closed?.end === 'server' && closed.how === 'FIN') {
    const idle = closed.time - (c.lastPayloadTime !== null && c.lastPayloadTime <= closed.time ? c.lastPayloadTime : c.firstTime);
    if (idle >= th.serverIdleCloseSeconds) {
      const rst = c.rsts.find((r) => r.from === 'server' && r.frame > closed.frame);
      const after = c.clientWroteAfterServerFin !== null
        ? ` The client then wrote into the closed connection (frame ${c.clientWroteAfterServerFin})${rst ? ` and got a RST (frame ${rst.frame})` : ''}.`
        : '';
      return { code: 'server-closed-idle', text: `Server closed an idle connection: FIN from the server (frame ${closed.frame}) after ${secs(idle)} without queries (threshold ${secs(th.serverIdleCloseSeconds)}).${after}`, evidence: [closed.frame, ...(c.clientWroteAfterServerFin ? [c.clientWroteAfterServerFin] : []), ...(rst ? [rst.frame] : [])] };
    }
  }
  if (closed?.how === 'RST' && established) {
    const code = closed.end === 'server' ? 'reset-by-server' : 'reset-by-client';
    return { code, text: `Reset by the ${closed.end}: RST in frame ${closed.frame}, ${secs(closed.time - c.firstTime)} into the connection${c.lastPayloadFrame ? `, after the last data in frame ${c.lastPayloadFrame}` : ''}.`, evidence: [closed.frame] };
  }

  const lat = txs.map((t) => t.latency).filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (lat.length) {
    const p95 = percentile(lat, 95);
    if (p95 >= th.slowP95Seconds && (rtt === null || p95 > 10 * rtt)) {
      const slow = txs.filter((t) => t.latency !== null && t.latency >= th.slowP95Seconds);
      return { code: 'slow-responses', text: `Slow responses: p95 ${secs(p95)} over ${lat.length} queries (threshold ${secs(th.slowP95Seconds)}); the server's time dominates${rtt !== null ? ` (network RTT ${secs(rtt)})` : ''}. Slowest: frame ${slow[0]?.requestFrame ?? '?'}.`, evidence: slow.slice(0, 5).map((t) => t.requestFrame) };
    }
  }

  const dataSegs = c.dataSegments[0] + c.dataSegments[1];
  const retrans = c.retransmissions[0] + c.retransmissions[1];
  if (dataSegs >= th.lossMinSegments && retrans / dataSegs > th.lossRate) {
    return { code: 'network-loss', text: `Network loss: ${retrans} of ${dataSegs} data segments retransmitted (${((100 * retrans) / dataSegs).toFixed(1)}%, threshold ${(th.lossRate * 100).toFixed(0)}%)${rtt !== null ? `, RTT ${secs(rtt)}` : ''}.`, evidence: c.retransFrames.slice(0, 10) };
  }

  const tailIdle = closed ? 0 : captureEnd - c.lastTime;
  const idle = Math.max(c.longestIdle.seconds, tailIdle);
  if (idle >= th.idleNoKeepaliveSeconds && c.keepalives === 0) {
    const where = tailIdle >= c.longestIdle.seconds ? `since frame ${c.lastFrame} until the end of the capture` : `between frames ${c.longestIdle.fromFrame} and ${c.longestIdle.toFrame}`;
    return { code: 'idle-no-keepalive', text: `Idle without keep-alive: no packet for ${secs(idle)} ${where} (threshold ${secs(th.idleNoKeepaliveSeconds)}) and no TCP keep-alive seen; a dead peer would go unnoticed.`, evidence: [tailIdle >= c.longestIdle.seconds ? c.lastFrame : c.longestIdle.toFrame] };
  }

  return { code: 'ok', text: okSentence(c, txs), evidence: [] };
}

function okSentence(c: ConnRecord, txs: readonly Transaction[]): string {
  const parts: string[] = [];
  if (c.login?.outcome === 'ok') parts.push(`Login OK${c.login.user ? ` as ${c.login.user}` : ''}${c.login.database ? ` to ${c.login.database}` : ''}`);
  const errors = txs.filter((t) => t.status === 'error');
  if (txs.length) {
    const first = errors[0];
    parts.push(`${txs.length} quer${txs.length === 1 ? 'y' : 'ies'}${errors.length ? `, ${errors.length} error${errors.length > 1 ? 's' : ''} (first: ${first!.errorCode ?? ''} ${first!.errorMessage ?? ''}, frame ${first!.responseFrame})`.replace(/\(\s+/, '(') : ''}`);
  }
  if (c.closedBy) parts.push(`${c.closedBy.end} closed (${c.closedBy.how}, frame ${c.closedBy.frame})`);
  else parts.push('still open at the end of the capture');
  const s = parts.join('; ');
  return s.charAt(0).toUpperCase() + s.slice(1) + '.';
}
