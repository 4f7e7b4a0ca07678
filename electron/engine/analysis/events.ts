/**
 * What the DB decoders tell the analysis layer, in protocol-neutral terms. The transaction tracker
 * pairs requests with responses from these; the connection analysis reads logins and TLS from them.
 */

export type AppEvent =
  | RequestEvent
  | ResponseEvent
  | LoginEvent
  | TlsEvent
  | GapEvent;

export interface RequestEvent {
  readonly kind: 'request';
  /** e.g. "COM_QUERY", "Simple query", "SQL batch", "get", "SET". */
  readonly command: string;
  /** Statement text for SQL; the command line for memcached/Redis. For prepared statements the
   *  prepared text, with the bound parameters in `params`. */
  readonly statement: string;
  readonly params?: readonly string[];
  /** A protocol id that pairs a response out of order (memcached binary opaque); else FIFO. */
  readonly key?: string | number;
  /** False when the protocol sends no response to this request (COM_QUIT, COM_STMT_CLOSE, noreply). */
  readonly expectsResponse?: boolean;
}

export interface ResponseEvent {
  readonly kind: 'response';
  readonly status: 'ok' | 'error';
  readonly errorCode?: string;
  readonly errorMessage?: string;
  /** Rows returned (result sets) or affected (DML), when known. */
  readonly rows?: number;
  /** True on the message that ends the response (OK/ERR/EOF after rows, ReadyForQuery, DONE final). */
  readonly final: boolean;
  readonly key?: string | number;
}

export interface LoginEvent {
  readonly kind: 'login';
  /** 'attempt' when the client sent its credentials, then 'ok' or 'error' from the server. */
  readonly phase: 'attempt' | 'ok' | 'error';
  readonly user?: string;
  readonly database?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

export interface TlsEvent {
  readonly kind: 'tls';
  /** 'requested' by the client, 'accepted' / 'refused' by the server, 'started' when TLS bytes flow. */
  readonly phase: 'requested' | 'accepted' | 'refused' | 'started';
}

/** Bytes of this direction were lost before this point (emitted by TCP reassembly, not by decoders). */
export interface GapEvent {
  readonly kind: 'gap';
}

/** Every field of every event kind: what uniformEvent() gives each event. */
interface UniformFields {
  kind: AppEvent['kind'];
  command: string | undefined;
  statement: string | undefined;
  params: readonly string[] | undefined;
  key: string | number | undefined;
  expectsResponse: boolean | undefined;
  status: ResponseEvent['status'] | undefined;
  errorCode: string | undefined;
  errorMessage: string | undefined;
  rows: number | undefined;
  final: boolean | undefined;
  phase: LoginEvent['phase'] | TlsEvent['phase'] | undefined;
  user: string | undefined;
  database: string | undefined;
}

/**
 * The same event with every field of every kind present (undefined where it has none), always in
 * one order, so that all events share one hidden class. Why: decoders build events in dozens of
 * shapes (literals, spreads of optional fields), and the sinks reading them per event (the
 * transaction tracker, the connection analysis) ran megamorphic property loads and were
 * deoptimized each time a shape first met mid-pass was read.
 */
export function uniformEvent(e: AppEvent): AppEvent {
  const a = e as Partial<UniformFields>;
  const u: UniformFields = {
    kind: e.kind, command: a.command, statement: a.statement, params: a.params, key: a.key, expectsResponse: a.expectsResponse,
    status: a.status, errorCode: a.errorCode, errorMessage: a.errorMessage, rows: a.rows, final: a.final, phase: a.phase,
    user: a.user, database: a.database,
  };
  return u as AppEvent;
}
