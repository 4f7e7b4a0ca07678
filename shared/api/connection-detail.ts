/**
 * The timeline data of a connection: shared by the engine (which builds it) and the renderer
 * (which draws it), so both sides agree on one shape.
 */
import type { TcpState } from './types';

export type End = 'client' | 'server';

export interface StateTransition {
  readonly end: End;
  readonly from: TcpState;
  readonly to: TcpState;
  readonly frame: number;
  /** Seconds since the epoch. */
  readonly time: number;
}

export const TIMELINE_KINDS = [
  'syn', 'syn-ack', 'handshake-ack', 'data', 'retransmission', 'dup-ack', 'zero-window', 'window-full',
  'keepalive', 'fin', 'rst', 'idle', 'login', 'login-ok', 'login-error', 'tls', 'request', 'response', 'state',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export function isTimelineKind(v: unknown): v is TimelineKind {
  return typeof v === 'string' && (TIMELINE_KINDS as readonly string[]).includes(v);
}

export interface TimelineEvent {
  readonly kind: TimelineKind;
  readonly frame: number;
  /** Seconds since the epoch. */
  readonly time: number;
  readonly end: End;
  readonly detail?: string;
  /** For request/response spans: the frame and time where the span ends, latency and status. */
  readonly endFrame?: number;
  readonly endTime?: number;
  readonly latency?: number;
  readonly status?: string;
}
