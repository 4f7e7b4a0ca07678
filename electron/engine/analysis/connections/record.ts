/** What we accumulate about one TCP connection while the packets go by. */
import type { TcpConversation } from '../../analysis/tcp-types';
import { TcpStateMachine, type End } from './tcp-state';
import { emptyObjects } from '../../packed-arrays';

import type { TimelineEvent, TimelineKind } from '../../../../shared/api/connection-detail';

export type { TimelineEvent, TimelineKind };

export interface LoginInfo {
  user?: string;
  database?: string;
  attemptFrame?: number;
  outcome?: 'ok' | 'error';
  outcomeFrame?: number;
  errorCode?: string;
  errorMessage?: string;
}

/** Where a payload segment was seen (keep-alive probes excluded). */
/** (Mutable: the tracker reuses its oldest mark for the newest.) */
export interface PayloadMark { frame: number; time: number; end: End }

/** How many recent payload marks a record keeps (enough to see a server's goodbye message and what came before it). */
export const RECENT_PAYLOADS = 3;

export interface ConnRecord {
  readonly stream: number;
  readonly conv: TcpConversation;
  /** Address key ("4:10.0.0.1") and port of each end. */
  clientKey: string;
  clientPort: number;
  serverKey: string;
  serverPort: number;
  /** True when roles came from a SYN (otherwise from ports, and may be revised once). */
  rolesFromSyn: boolean;
  readonly states: TcpStateMachine;
  firstTime: number;
  lastTime: number;
  firstFrame: number;
  lastFrame: number;
  /** [client→server, server→client] */
  packets: [number, number];
  bytes: [number, number];
  synFrames: number[];
  synTime: number | null;
  synAckFrame: number | null;
  synAckTime: number | null;
  handshakeAckFrame: number | null;
  handshakeAckTime: number | null;
  rstFromServerToSyn: number | null;
  retransmissions: [number, number];
  retransFrames: number[];
  /** Segments Wireshark calls out-of-order: below the highest sequence sent, soon after it. Seen
   *  at a sender they are retransmissions too (fast recovery on a short-RTT path). */
  outOfOrder: [number, number];
  oooFrames: number[];
  dupAcks: number;
  zeroWindows: number;
  keepalives: number;
  rsts: { frame: number; from: End; time: number }[];
  dataSegments: [number, number];
  /** Raw sequence just past the client's highest data byte, and the server's highest ACK. */
  clientDataEnd: number | null;
  clientFirstDataFrame: number | null;
  clientFirstDataTime: number | null;
  serverMaxAck: number | null;
  longestIdle: { seconds: number; fromFrame: number; toFrame: number; fromTime: number };
  lastPayloadTime: number | null;
  lastPayloadFrame: number | null;
  closedBy: { end: End; how: 'FIN' | 'RST'; frame: number; time: number } | null;
  /** After the server's FIN, did the client send data (and get a RST)? */
  clientWroteAfterServerFin: number | null;
  /** The last few payload segments, oldest first. */
  recentPayloads: PayloadMark[];
  /** `recentPayloads` as they were at the first FIN or RST (either end), or null. */
  payloadsBeforeClose: PayloadMark[] | null;
  /** Requests the decoders reported that still wait for their final response. */
  openRequests: number;
  /** When the whole capture went silent for longer than CAPTURE_BREAK_SECONDS after this connection's last packet: the time it went silent. */
  captureBreakAfter: number | null;
  /** Segments that carried data and were [retransmissions, out-of-order] (what the loss rate counts). */
  resentData: [number, number];
  /** The last error the server sent with no request open (e.g. an idle-timeout notice before closing). */
  unsolicitedError: { frame: number; code?: string; message?: string } | null;
  login: LoginInfo | null;
  tls: { requested?: number; accepted?: number; refused?: number; started?: number };
  readonly timeline: TimelineEvent[];
  process?: { pid: number; name: string };
}

export function newRecord(stream: number, conv: TcpConversation, time: number, frame: number): ConnRecord {
  return {
    stream, conv, clientKey: '', clientPort: 0, serverKey: '', serverPort: 0, rolesFromSyn: false,
    states: new TcpStateMachine(), firstTime: time, lastTime: time, firstFrame: frame, lastFrame: frame,
    packets: [0, 0], bytes: [0, 0], synFrames: [], synTime: null, synAckFrame: null, synAckTime: null,
    handshakeAckFrame: null, handshakeAckTime: null, rstFromServerToSyn: null, retransmissions: [0, 0], retransFrames: [], outOfOrder: [0, 0], oooFrames: [],
    dupAcks: 0, zeroWindows: 0, keepalives: 0, rsts: emptyObjects(), dataSegments: [0, 0], clientDataEnd: null, clientFirstDataFrame: null, clientFirstDataTime: null,
    serverMaxAck: null, longestIdle: { seconds: 0, fromFrame: frame, toFrame: frame, fromTime: time }, lastPayloadTime: null,
    lastPayloadFrame: null, closedBy: null, clientWroteAfterServerFin: null,
    recentPayloads: emptyObjects(), payloadsBeforeClose: null, openRequests: 0, unsolicitedError: null, captureBreakAfter: null, resentData: [0, 0], login: null, tls: {}, timeline: emptyObjects(),
  };
}
