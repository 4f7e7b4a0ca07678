/**
 * The thresholds behind the verdicts. Each is named in the verdict sentence when it decides it,
 * so a reader can see why; the CLI can override them (`dbwire conns --idle-threshold 30`).
 */
export interface Thresholds {
  /** A connection idle this long with no keep-alive is "idle-no-keepalive" (seconds). */
  idleNoKeepaliveSeconds: number;
  /** The server closing after at least this much idleness is "server-closed-idle" (seconds). */
  serverIdleCloseSeconds: number;
  /** p95 response time at or above this is "slow-responses" (seconds). */
  slowP95Seconds: number;
  /** Retransmitted data segments above this share of data segments is "network-loss". */
  lossRate: number;
  /** ...counted only with at least this many data segments... */
  lossMinSegments: number;
  /** ...and at least this many segments sent again (one resent FIN or segment is not a lossy path). */
  lossMinResent: number;
  /** Client data retransmitted this many times and never acknowledged is "data-not-acknowledged". */
  unackedRetransmissions: number;
  /** "connection-churn": at least this many connections from one client to one server... */
  churnMinConnections: number;
  /** ...each shorter than this (seconds)... */
  churnMaxDurationSeconds: number;
  /** ...at this rate or more (connections per second). */
  churnMinRate: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  idleNoKeepaliveSeconds: 300,
  serverIdleCloseSeconds: 1,
  slowP95Seconds: 0.5,
  lossRate: 0.02,
  lossMinSegments: 10,
  lossMinResent: 3,
  unackedRetransmissions: 2,
  churnMinConnections: 20,
  churnMaxDurationSeconds: 2,
  churnMinRate: 5,
};

/**
 * A silence of the whole capture (no packet on any connection) longer than this is taken as a
 * break between captures merged into one file (mergecap; public test corpora are full of them),
 * not a capture that kept running: a connection's idleness "until the end of the capture" is
 * measured only up to such a break (seconds).
 */
export const CAPTURE_BREAK_SECONDS = 3_600;
