/**
 * Per-connection PostgreSQL state. Facts that change how a later message is decoded (auth
 * exchange, encryption switch, the one-byte SSL/GSS answer) are recorded by frame number, as
 * Wireshark does, so re-dissecting a single frame later gives the same tree as the first pass.
 */
import { emptyObjects } from '../../../packed-arrays';

/** What a client 'p' message carries, decided by the server's last authentication request. */
export type AuthExchange = 'password' | 'sasl-initial' | 'sasl' | 'gss';

/** Where the connection is in its startup. */
export type LoginPhase = 'none' | 'started' | 'auth-ok' | 'done' | 'failed';

export type PendingAnswer = 'ssl' | 'gss' | null;

/** A client request awaiting its answer, in the order the server answers them. */
export type Pending = 'simple' | 'execute' | 'sync';

export interface PortalInfo {
  readonly statement: string;
  readonly params?: readonly string[];
}

export interface PgsqlState {
  /** Auth exchange in force from a frame on (sorted by frame). */
  readonly authLog: Array<{ frame: number; auth: AuthExchange }>;
  /** Current auth exchange (for the first pass). */
  auth: AuthExchange;
  /** The client asked for SSL / GSSAPI encryption; the server's next byte answers it. */
  pendingAnswer: PendingAnswer;
  /** Frames holding the one-byte answer, and which question it answered. */
  readonly answerFrames: Map<number, 'ssl' | 'gss'>;
  /** From this frame on both directions are TLS / GSSAPI-encrypted (not PostgreSQL messages). */
  encryptedFrom: number | null;
  encryption: 'tls' | 'gss' | null;
  /** True once the encrypted bytes flow (pduLength has no frame number). */
  encrypted: boolean;
  tlsStartedEmitted: boolean;

  login: LoginPhase;
  user?: string;
  database?: string;

  /** Prepared statement text by name, portal (statement text + bound values) by name. */
  readonly statements: Map<string, string>;
  readonly portals: Map<string, PortalInfo>;
  /** Requests awaiting answers (FIFO), with 'sync' marking where an extended batch ends. */
  readonly pending: Pending[];
  /** DataRows since the last CommandComplete. */
  dataRows: number;
  /** Aggregate of the current simple-query cycle (ended by ReadyForQuery). */
  cycleRows?: number;
  cycleError?: { code?: string; message?: string };
  /** The last error in the current extended batch (for Executes it made the server skip). */
  batchError?: { code?: string; message?: string };

  /** Info column grouping: the frame and data source of the last message dissected. */
  infoFrame: number;
  infoDs: number;
}

/** Every field present from the start, in one order: one hidden class for every connection's state. */
export function newPgsqlState(): PgsqlState {
  return {
    authLog: [], auth: 'password', pendingAnswer: null, answerFrames: new Map(),
    encryptedFrom: null, encryption: null, encrypted: false, tlsStartedEmitted: false,
    login: 'none', user: undefined, database: undefined, statements: new Map(), portals: new Map(), pending: emptyObjects<Pending>(),
    dataRows: 0, cycleRows: undefined, cycleError: undefined, batchError: undefined, infoFrame: -1, infoDs: -1,
  };
}

/** Record an auth exchange change at a frame (the client's next 'p' is read accordingly). */
export function setAuth(s: PgsqlState, frame: number, auth: AuthExchange): void {
  s.auth = auth;
  const last = s.authLog[s.authLog.length - 1];
  if (last && last.frame >= frame) last.auth = auth;
  else s.authLog.push({ frame, auth });
}

/** The auth exchange in force at a frame. */
export function authAt(s: PgsqlState, frame: number): AuthExchange {
  let out: AuthExchange = 'password';
  for (const e of s.authLog) {
    if (e.frame > frame) break;
    out = e.auth;
  }
  return out;
}

/** Keep name→value maps bounded: a hostile client may create statements without end. */
export const MAX_NAMED = 1024;
export function boundedSet<V>(m: Map<string, V>, k: string, v: V): void {
  m.delete(k);
  m.set(k, v);
  if (m.size > MAX_NAMED) {
    const oldest = m.keys().next();
    if (!oldest.done) m.delete(oldest.value);
  }
}

/** Requests awaiting answers beyond this are dropped (a server that never answers). */
export const MAX_PENDING = 4096;
export function pushPending(s: PgsqlState, p: Pending): void {
  s.pending.push(p);
  if (s.pending.length > MAX_PENDING) s.pending.shift();
}
