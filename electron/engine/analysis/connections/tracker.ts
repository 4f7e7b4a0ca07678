/**
 * Builds the connection records from TCP segments (after sequence analysis) and DB decoder
 * events. Roles: the client sent the first SYN; without a SYN, the end on a DB port (or the lower
 * port) is the server.
 */
import type { AppEvent } from '../events';
import type { EventMeta } from '../../decode/session';
import { TA, TH_ACK, TH_FIN, TH_RST, TH_SYN, type TcpHeaderFacts, type TcpSegmentAnalysis } from '../tcp-types';
import { APP_DISSECTORS } from '../../decode/protocols';
import { newRecord, RECENT_PAYLOADS, type ConnRecord, type TimelineKind } from './record';
import { CAPTURE_BREAK_SECONDS } from './thresholds';
import type { End } from './tcp-state';

const DB_PORTS = new Set(APP_DISSECTORS.flatMap((d) => [...d.ports]));
const seqGt = (a: number, b: number) => ((a - b) | 0) > 0;

export class ConnectionTracker {
  readonly records = new Map<number, ConnRecord>();
  /** Time of the last packet of the whole capture (for idleness at the end). */
  captureEnd = 0;
  /** The last forward jump of the capture clock past CAPTURE_BREAK_SECONDS (undone if time comes back). */
  private lastJump: { before: number; marked: ConnRecord[] } | null = null;

  /** The record asked for last: a frame's segment and its events are the same stream's. */
  private last: ConnRecord | null = null;

  constructor(private readonly decodeAsPorts: ReadonlySet<number> = new Set()) {}

  private recordOf(stream: number): ConnRecord | undefined {
    const l = this.last;
    if (l !== null && l.stream === stream) return l;
    const c = this.records.get(stream);
    if (c !== undefined) this.last = c;
    return c;
  }

  /**
   * The capture clock: the end of the capture, and forward jumps (merged captures). Called for
   * every TCP segment by onTcp; a pass that dissects only some connections (a shard) calls it for
   * the others too. Calling it again with the same time changes nothing.
   */
  observe(time: number): void {
    if (this.captureEnd && time - this.captureEnd > CAPTURE_BREAK_SECONDS) {
      // Captures merged into one file: idleness of the connections seen so far ends at the break.
      const marked: ConnRecord[] = [];
      for (const rec of this.records.values()) if (rec.captureBreakAfter === null) { rec.captureBreakAfter = this.captureEnd; marked.push(rec); }
      this.lastJump = { before: this.captureEnd, marked };
    } else if (this.lastJump && this.captureEnd - time > CAPTURE_BREAK_SECONDS) {
      // Time went back as far: the jump was one bogus timestamp, not a later capture.
      for (const rec of this.lastJump.marked) rec.captureBreakAfter = null;
      this.captureEnd = this.lastJump.before;
      this.lastJump = null;
    }
    this.captureEnd = Math.max(this.captureEnd, time);
  }

  onTcp(h: TcpHeaderFacts, r: TcpSegmentAnalysis): void {
    const time = h.tsSec + h.tsNsec / 1e9;
    this.observe(time);
    let c = this.recordOf(r.stream);
    if (!c) {
      c = newRecord(r.stream, r.conv, time, h.frame);
      this.assignRoles(c, h);
      this.records.set(r.stream, c);
      this.last = c;
    }
    const from: End = h.src === c.clientKey && h.srcPort === c.clientPort ? 'client' : 'server';
    const d = from === 'client' ? 0 : 1;
    // Time going back right after the longest gap: that gap came from a bogus timestamp.
    if (time < c.lastTime && c.longestIdle.toFrame === c.lastFrame) c.longestIdle = { seconds: 0, fromFrame: h.frame, toFrame: h.frame, fromTime: time };
    const gap = time - c.lastTime;
    if (gap > c.longestIdle.seconds) c.longestIdle = { seconds: gap, fromFrame: c.lastFrame, toFrame: h.frame, fromTime: c.lastTime };
    c.lastTime = time;
    c.lastFrame = h.frame;
    c.packets[d]++;
    c.bytes[d] += h.seglen;

    if (h.flags & TH_SYN) {
      if (!(h.flags & TH_ACK)) {
        c.synFrames.push(h.frame);
        c.synTime ??= time;
        mark(c, h.frame, time, from, 'syn', c.synFrames.length > 1 ? `SYN retransmitted (${c.synFrames.length})` : 'SYN');
      } else if (c.synAckFrame === null) {
        c.synAckFrame = h.frame;
        c.synAckTime = time;
        mark(c, h.frame, time, from, 'syn-ack', 'SYN/ACK');
      }
    } else if ((h.flags & TH_ACK) && from === 'client' && c.synAckFrame !== null && c.handshakeAckFrame === null) {
      c.handshakeAckFrame = h.frame;
      c.handshakeAckTime = time;
      mark(c, h.frame, time, from, 'handshake-ack', 'ACK');
    }
    if (h.flags & TH_RST) {
      c.rsts.push({ frame: h.frame, from, time });
      if (from === 'server' && c.synAckFrame === null && c.synFrames.length) c.rstFromServerToSyn ??= h.frame;
      c.closedBy ??= { end: from, how: 'RST', frame: h.frame, time };
      mark(c, h.frame, time, from, 'rst', 'RST');
    }
    if (h.flags & TH_FIN) {
      c.closedBy ??= { end: from, how: 'FIN', frame: h.frame, time };
      mark(c, h.frame, time, from, 'fin', 'FIN');
    }
    if (h.seglen > 0) {
      c.dataSegments[d]++;
      if (from === 'client') {
        if (c.clientFirstDataFrame === null) { c.clientFirstDataFrame = h.frame; c.clientFirstDataTime = time; }
        const end = (h.seq + h.seglen) >>> 0;
        if (c.clientDataEnd === null || seqGt(end, c.clientDataEnd)) c.clientDataEnd = end;
        if (c.closedBy?.end === 'server' && c.closedBy.how === 'FIN') c.clientWroteAfterServerFin ??= h.frame;
      }
      if (!(r.flags & TA.KEEP_ALIVE)) {
        c.lastPayloadTime = time; c.lastPayloadFrame = h.frame;
        // The oldest mark becomes the newest: an object per data segment was most of this tracker's garbage.
        const rp = c.recentPayloads;
        if (rp.length < RECENT_PAYLOADS) rp.push({ frame: h.frame, time, end: from });
        else { const m = rp.shift()!; m.frame = h.frame; m.time = time; m.end = from; rp.push(m); }
      }
    }
    // Snapshot after this segment's own payload: a goodbye message may ride on the FIN.
    if (c.closedBy?.frame === h.frame && c.payloadsBeforeClose === null) c.payloadsBeforeClose = c.recentPayloads.map((p) => ({ ...p }));
    if (from === 'server' && (h.flags & TH_ACK) && (c.serverMaxAck === null || seqGt(h.ack, c.serverMaxAck))) c.serverMaxAck = h.ack;
    const a = r.flags;
    if (h.seglen > 0) {
      if (a & (TA.RETRANSMISSION | TA.FAST_RETRANSMISSION | TA.SPURIOUS_RETRANSMISSION)) c.resentData[0]++;
      else if (a & TA.OUT_OF_ORDER) c.resentData[1]++;
    }
    if (a & (TA.RETRANSMISSION | TA.FAST_RETRANSMISSION | TA.SPURIOUS_RETRANSMISSION)) {
      c.retransmissions[d]++;
      c.retransFrames.push(h.frame);
      mark(c, h.frame, time, from, 'retransmission', a & TA.FAST_RETRANSMISSION ? 'fast retransmission' : a & TA.SPURIOUS_RETRANSMISSION ? 'spurious retransmission' : 'retransmission');
    }
    if (a & TA.OUT_OF_ORDER) {
      c.outOfOrder[d]++;
      if (c.oooFrames.length < 1000) c.oooFrames.push(h.frame);
      mark(c, h.frame, time, from, 'retransmission', 'out-of-order');
    }
    if (a & TA.DUPLICATE_ACK) { c.dupAcks++; mark(c, h.frame, time, from, 'dup-ack', `duplicate ACK #${r.dupAckNum ?? ''}`); }
    if (a & TA.ZERO_WINDOW) { c.zeroWindows++; mark(c, h.frame, time, from, 'zero-window', 'zero window'); }
    if (a & TA.WINDOW_FULL) mark(c, h.frame, time, from, 'window-full', 'window full');
    if (a & TA.KEEP_ALIVE) { c.keepalives++; mark(c, h.frame, time, from, 'keepalive', 'keep-alive'); }
    const before = c.states.transitions.length;
    c.states.segment(from, h.flags, h.seq, h.ack, h.seglen, h.frame, time);
    // (by index: a slice per segment was an allocation per frame for the rare new transition)
    const tr = c.states.transitions;
    for (let i = before; i < tr.length; i++) {
      const t = tr[i]!;
      c.timeline.push({ kind: 'state', frame: t.frame, time: t.time, end: t.end, detail: `${t.from} → ${t.to}` });
    }
  }

  onEvent(e: AppEvent, m: EventMeta): void {
    const c = this.recordOf(m.stream);
    if (!c) return;
    const time = m.tsSec + m.tsNsec / 1e9;
    const end: End = m.fromServer ? 'server' : 'client';
    if (e.kind === 'login') {
      const l = (c.login ??= {});
      if (e.phase === 'attempt') {
        l.user ??= e.user; l.database ??= e.database; l.attemptFrame ??= m.frame;
        c.timeline.push({ kind: 'login', frame: m.frame, time, end, detail: `login${e.user ? ` as ${e.user}` : ''}${e.database ? ` to ${e.database}` : ''}` });
      } else if (!l.outcome) {
        l.outcome = e.phase;
        l.outcomeFrame = m.frame;
        if (e.user) l.user ??= e.user;
        if (e.database) l.database ??= e.database;
        l.errorCode = e.errorCode;
        l.errorMessage = e.errorMessage;
        c.timeline.push({ kind: e.phase === 'ok' ? 'login-ok' : 'login-error', frame: m.frame, time, end,
          detail: e.phase === 'ok' ? 'login OK' : `login failed${e.errorCode ? ` (${e.errorCode})` : ''}${e.errorMessage ? `: ${e.errorMessage}` : ''}` });
      }
    } else if (e.kind === 'request') {
      if (e.expectsResponse !== false) c.openRequests++;
    } else if (e.kind === 'response') {
      if (c.openRequests > 0) { if (e.final) c.openRequests--; }
      else if (m.fromServer && e.status === 'error') c.unsolicitedError = { frame: m.frame, code: e.errorCode, message: e.errorMessage };
    } else if (e.kind === 'tls') {
      c.tls[e.phase] ??= m.frame;
      c.timeline.push({ kind: 'tls', frame: m.frame, time, end, detail: `TLS ${e.phase}` });
    }
  }

  /** Client = SYN sender; else the DB-port end is the server; else the lower port. */
  private assignRoles(c: ConnRecord, h: TcpHeaderFacts): void {
    let srcIsClient: boolean;
    if ((h.flags & TH_SYN) && !(h.flags & TH_ACK)) { srcIsClient = true; c.rolesFromSyn = true; }
    else if ((h.flags & TH_SYN) && (h.flags & TH_ACK)) { srcIsClient = false; c.rolesFromSyn = true; }
    else {
      const srcDb = DB_PORTS.has(h.srcPort) || this.decodeAsPorts.has(h.srcPort);
      const dstDb = DB_PORTS.has(h.dstPort) || this.decodeAsPorts.has(h.dstPort);
      srcIsClient = srcDb !== dstDb ? dstDb : h.srcPort > h.dstPort;
    }
    c.clientKey = srcIsClient ? h.src : h.dst; c.clientPort = srcIsClient ? h.srcPort : h.dstPort;
    c.serverKey = srcIsClient ? h.dst : h.src; c.serverPort = srcIsClient ? h.dstPort : h.srcPort;
  }
}

/** Appends a timeline event (a function, not a closure made per segment: events are rare). */
function mark(c: ConnRecord, frame: number, time: number, end: End, kind: TimelineKind, detail?: string): void {
  c.timeline.push({ kind, frame, time, end, detail });
}
