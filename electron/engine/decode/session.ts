/**
 * State that lives across packets of one capture: TCP conversations, per-stream DB decoder state,
 * UDP stream numbers, Decode-As rules, frame timing, and where decoder events go.
 */
import { TcpConversationTable } from '../analysis/tcp-conversation';
import type { AppEvent } from '../analysis/events';
import type { TcpHeaderFacts, TcpSegmentAnalysis } from '../analysis/tcp-types';
import type { TcpAppDissector } from './app';
import { APP_DISSECTORS, appDissectorByName } from './protocols';
import type { Mutable } from '../mutable';

/** Where an AppEvent came from. */
export interface EventMeta {
  readonly frame: number;
  readonly tsSec: number;
  readonly tsNsec: number;
  readonly stream: number;
  /** The stream's DB protocol ("mysql", "pgsql", ...). */
  readonly protocol: string;
  readonly fromServer: boolean;
  /** Payload bytes of the message that produced the event. */
  readonly bytes: number;
}

/** `meta` is valid during the call only (the decoders reuse it): a sink copies what it keeps. */
export type EventSink = (event: AppEvent, meta: EventMeta) => void;

/**
 * Called for every TCP segment after analysis (connection tracking listens here). Both objects are
 * refilled for the next segment: a sink copies what it keeps.
 */
export type TcpSink = (h: TcpHeaderFacts, r: TcpSegmentAnalysis) => void;

export interface SessionOptions {
  /** Decode As: TCP port → protocol name (as `-d tcp.port==N,proto`). */
  readonly decodeAs?: ReadonlyMap<number, string>;
  readonly onEvent?: EventSink;
  readonly onTcp?: TcpSink;
}

export class DissectSession {
  readonly tcp = new TcpConversationTable();
  /** The header facts of the TCP segment being dissected: one object, refilled per segment. */
  readonly tcpFacts: Mutable<TcpHeaderFacts> = {
    frame: 0, tsSec: 0, tsNsec: 0, src: '', dst: '', srcPort: 0, dstPort: 0, seq: 0, ack: 0, flags: 0, window: 0, seglen: 0,
    mss: undefined, wscale: undefined, sackPerm: false, sack: [], tsval: undefined, tsecr: undefined,
  };
  readonly decodeAs: ReadonlyMap<number, TcpAppDissector<unknown>>;
  readonly onEvent: EventSink | undefined;
  readonly onTcp: TcpSink | undefined;
  private readonly udpStreams = new Map<string, number>();
  /** Time of the first frame and of the previous frame (ns), for frame.time_relative / time_delta. */
  firstNs: bigint | null = null;
  prevNs: bigint | null = null;

  constructor(opts: SessionOptions = {}) {
    const map = new Map<number, TcpAppDissector<unknown>>();
    for (const [port, name] of opts.decodeAs ?? []) {
      const d = appDissectorByName(name);
      if (!d) throw new Error(`Decode As: unknown protocol "${name}" (known: ${APP_DISSECTORS.map((x) => x.proto.name).join(', ')})`);
      map.set(port, d);
    }
    this.decodeAs = map;
    this.onEvent = opts.onEvent;
    this.onTcp = opts.onTcp;
  }

  udpStream(a: string, b: string): number {
    const key = a < b ? a + '|' + b : b + '|' + a;
    let n = this.udpStreams.get(key);
    if (n === undefined) { n = this.udpStreams.size; this.udpStreams.set(key, n); }
    return n;
  }
}
