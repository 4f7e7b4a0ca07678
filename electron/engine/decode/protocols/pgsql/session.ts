/**
 * What the PostgreSQL conversation means for the analysis layer: login, TLS and
 * request/response events, paired FIFO by the transaction tracker.
 *
 * Pairing rules (the server answers in order):
 * - Simple query ('Q') and FunctionCall ('F'): one request; each CommandComplete / EmptyQuery /
 *   ErrorResponse is a non-final response; ReadyForQuery is the final one (status error if any
 *   statement failed, rows summed over the statements).
 * - Extended protocol: one request per Execute (the Parse'd text of the portal's statement, the
 *   bound values as params). Its final response is its CommandComplete / EmptyQueryResponse /
 *   PortalSuspended / ErrorResponse. An error makes the server skip everything up to Sync: the
 *   Executes it skipped get a final error response at ReadyForQuery. Parse/Bind/Describe without
 *   Execute produce no transaction.
 */
import type { AppEvent } from '../../../analysis/events';
import { pushPending, type PgsqlState } from './state';

type Emit = (e: AppEvent) => void;

export interface ErrorInfo {
  readonly severity?: string;
  readonly code?: string;
  readonly message?: string;
}

export function onStartup(s: PgsqlState, emit: Emit, params: ReadonlyMap<string, string>): void {
  const user = params.get('user');
  // PostgreSQL's default database is the user name.
  const database = params.get('database') ?? user;
  s.user = user;
  s.database = database;
  s.login = 'started';
  emit({ kind: 'login', phase: 'attempt', user, database });
}

export function onSimpleQuery(s: PgsqlState, emit: Emit, command: string, statement: string): void {
  pushPending(s, 'simple');
  s.dataRows = 0;
  emit({ kind: 'request', command, statement });
}

export function onExecute(s: PgsqlState, emit: Emit, statement: string, params: readonly string[] | undefined): void {
  pushPending(s, 'execute');
  emit(params ? { kind: 'request', command: 'Execute', statement, params } : { kind: 'request', command: 'Execute', statement });
}

export function onSync(s: PgsqlState): void {
  pushPending(s, 'sync');
}

export function onTerminate(emit: Emit): void {
  emit({ kind: 'request', command: 'Termination', statement: '', expectsResponse: false });
}

export function onAuthOk(s: PgsqlState): void {
  if (s.login === 'started') s.login = 'auth-ok';
}

export function onDataRow(s: PgsqlState): void {
  s.dataRows++;
}

/** CommandComplete, EmptyQueryResponse (rows 0) or PortalSuspended (rows undefined → DataRows). */
export function onCompletion(s: PgsqlState, emit: Emit, tagRows: number | undefined): void {
  const rows = tagRows ?? (s.dataRows > 0 ? s.dataRows : undefined);
  s.dataRows = 0;
  const head = s.pending[0];
  if (head === 'execute') {
    s.pending.shift();
    emit(rows === undefined ? { kind: 'response', status: 'ok', final: true } : { kind: 'response', status: 'ok', rows, final: true });
  } else if (head === 'simple') {
    if (rows !== undefined) s.cycleRows = (s.cycleRows ?? 0) + rows;
    emit(rows === undefined ? { kind: 'response', status: 'ok', final: false } : { kind: 'response', status: 'ok', rows, final: false });
  }
}

export function onError(s: PgsqlState, emit: Emit, e: ErrorInfo): void {
  s.dataRows = 0;
  if (s.login === 'started' || s.login === 'auth-ok') {
    s.login = 'failed';
    emit({ kind: 'login', phase: 'error', user: s.user, database: s.database, errorCode: e.code, errorMessage: e.message });
    return;
  }
  const head = s.pending[0];
  const err = { code: e.code, message: e.message };
  if (head === 'execute') {
    s.pending.shift();
    s.batchError = err;
    emit({ kind: 'response', status: 'error', errorCode: e.code, errorMessage: e.message, final: true });
  } else if (head === 'simple') {
    s.cycleError ??= err;
    emit({ kind: 'response', status: 'error', errorCode: e.code, errorMessage: e.message, final: false });
  } else if (head === 'sync') {
    // An error with no Execute in flight (Parse/Bind of a batch without Execute, or a failed
    // implicit COMMIT at Sync): nothing to pair it with, but later Executes of the batch are skipped.
    s.batchError = err;
  } else if (head === undefined) {
    // A FATAL with nothing pending (idle_session_timeout 57P05, admin shutdown 57P01): the server's
    // last word before it closes; the connection analysis names it.
    emit({ kind: 'response', status: 'error', errorCode: e.code, errorMessage: e.message, final: true });
  }
}

export function onReadyForQuery(s: PgsqlState, emit: Emit): void {
  s.dataRows = 0;
  if (s.login === 'auth-ok') {
    s.login = 'done';
    emit({ kind: 'login', phase: 'ok', user: s.user, database: s.database });
  }
  const head = s.pending[0];
  if (head === 'simple') {
    s.pending.shift();
    const err = s.cycleError;
    const rows = s.cycleRows;
    s.cycleError = undefined;
    s.cycleRows = undefined;
    if (err) emit({ kind: 'response', status: 'error', errorCode: err.code, errorMessage: err.message, final: true, ...(rows !== undefined ? { rows } : {}) });
    else emit(rows === undefined ? { kind: 'response', status: 'ok', final: true } : { kind: 'response', status: 'ok', rows, final: true });
    return;
  }
  // End of an extended batch: Executes still waiting were skipped by the server after an error.
  const err = s.batchError;
  s.batchError = undefined;
  while (s.pending.length > 0) {
    const p = s.pending.shift();
    if (p === 'sync') break;
    if (p === 'execute') {
      emit({
        kind: 'response', status: 'error', final: true, errorCode: err?.code,
        errorMessage: err ? `not executed: an earlier message of the batch failed (${err.message ?? ''})` : 'no response before ReadyForQuery',
      });
    }
  }
}

/** Bytes were lost: answers can no longer be matched to requests. */
export function onGap(s: PgsqlState): void {
  s.pending.length = 0;
  s.dataRows = 0;
  s.cycleError = undefined;
  s.cycleRows = undefined;
  s.batchError = undefined;
}
