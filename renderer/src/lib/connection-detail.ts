/**
 * The per-connection facts the engine adds beyond the Connection type (ConnectionDetail in
 * electron/engine/analysis/connections/report.ts), read defensively: they arrive as `unknown`
 * extras, so each is checked before the timeline or the table uses it.
 */
import type { Connection, TcpState } from '../../../shared/api/types';

import { isTimelineKind, type End, type StateTransition, type TimelineEvent } from '../../../shared/api/connection-detail';

export type { End, StateTransition, TimelineEvent };

export interface ConnectionExtras {
  readonly timeline: readonly TimelineEvent[];
  readonly transitions: readonly StateTransition[];
  readonly handshakeRtt: number | null;
  readonly retransmissions: readonly [number, number] | null;
  readonly resets: number | null;
  readonly keepalives: number | null;
  readonly closedBy: { readonly end: End; readonly how: string; readonly frame: number } | null;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const isEnd = (v: unknown): v is End => v === 'client' || v === 'server';

function timelineEvent(v: unknown): TimelineEvent | null {
  if (!isObj(v) || !isTimelineKind(v.kind) || num(v.frame) === null || num(v.time) === null || !isEnd(v.end)) return null;
  return {
    kind: v.kind, frame: v.frame as number, time: v.time as number, end: v.end,
    detail: typeof v.detail === 'string' ? v.detail : undefined,
    endFrame: num(v.endFrame) ?? undefined,
    endTime: num(v.endTime) ?? undefined,
    latency: num(v.latency) ?? undefined,
    status: typeof v.status === 'string' ? v.status : undefined,
  };
}

function transition(v: unknown): StateTransition | null {
  if (!isObj(v) || !isEnd(v.end) || typeof v.to !== 'string' || num(v.frame) === null || num(v.time) === null) return null;
  return { end: v.end, from: (typeof v.from === 'string' ? v.from : 'UNKNOWN') as TcpState, to: v.to as TcpState, frame: v.frame as number, time: v.time as number };
}

export function extrasOf(c: Connection): ConnectionExtras {
  const timeline = Array.isArray(c.timeline) ? c.timeline.map(timelineEvent).filter((e): e is TimelineEvent => e !== null) : [];
  const transitions = Array.isArray(c.transitions) ? c.transitions.map(transition).filter((e): e is StateTransition => e !== null) : [];
  const h = isObj(c.handshakeRtt) ? c.handshakeRtt : null;
  const s = h ? num(h.synToSynAck) : null;
  const r = c.retransmissions;
  const cb = isObj(c.closedBy) && isEnd(c.closedBy.end) && num(c.closedBy.frame) !== null
    ? { end: c.closedBy.end, how: String(c.closedBy.how ?? ''), frame: c.closedBy.frame as number } : null;
  return {
    timeline, transitions,
    handshakeRtt: s,
    retransmissions: Array.isArray(r) && r.length === 2 && num(r[0]) !== null && num(r[1]) !== null ? [r[0] as number, r[1] as number] : null,
    resets: num(c.resets), keepalives: num(c.keepalives), closedBy: cb,
  };
}

/** Verdict codes that mean trouble, and how to show them without relying on colour. */
export function verdictIcon(code: string): { readonly icon: string; readonly tone: 'ok' | 'warn' | 'bad' } {
  if (code === 'ok') return { icon: '✓', tone: 'ok' };
  if (['refused', 'no-response', 'login-failed', 'too-many-connections', 'unknown-database', 'tls-required', 'tls-mismatch', 'data-not-acknowledged'].includes(code)) return { icon: '✕', tone: 'bad' };
  return { icon: '⚠', tone: 'warn' };
}

/** Splits a verdict sentence into text and frame-number links ("frame 12", "frames 3, 5"). */
export function verdictParts(text: string): { readonly text: string; readonly frame?: number }[] {
  const out: { text: string; frame?: number }[] = [];
  const re = /\bframes?\s+((?:\d+(?:\s*(?:,|and|–|-)\s*)?)+)/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const numsAt = m.index + m[0].length - m[1]!.length;
    out.push({ text: text.slice(last, numsAt) });
    const nums = m[1]!;
    const numRe = /\d+/g;
    let l2 = 0;
    for (let n = numRe.exec(nums); n; n = numRe.exec(nums)) {
      if (n.index > l2) out.push({ text: nums.slice(l2, n.index) });
      out.push({ text: n[0], frame: Number(n[0]) });
      l2 = n.index + n[0].length;
    }
    if (l2 < nums.length) out.push({ text: nums.slice(l2) });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out.filter((p) => p.text.length > 0);
}
