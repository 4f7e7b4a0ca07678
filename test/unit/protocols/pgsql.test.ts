import { afterEach, describe, expect, it } from 'vitest';
import { NEED_MORE } from '../../../electron/engine/decode/app';
import { pgsqlDissector, setShowSecrets } from '../../../electron/engine/decode/protocols/pgsql';
import {
  authOk, bind, cancelRequest, cat, commandComplete, Conversation, cstr, dataRow, describe as describeMsg,
  errorResponse, execute, gssencRequest, i16, i32, msg, parse, query, readyForQuery, rowDescription,
  sslRequest, startup, str, sync, values,
} from './pgsql-support';

afterEach(() => setShowSecrets(false));

function loggedIn(): Conversation {
  const c = new Conversation();
  c.client(startup({ user: 'app', database: 'shop' }));
  c.server(authOk(), msg('S', cstr('server_version'), cstr('15.4')), msg('K', i32(1234), i32(5678)), readyForQuery());
  c.events.length = 0;
  return c;
}

describe('pgsql startup and authentication', () => {
  it('decodes SSLRequest refused, StartupMessage, MD5 auth and the login events', () => {
    const c = new Conversation();
    const f1 = c.client(sslRequest());
    expect(values(f1, 'pgsql.type')).toEqual(['SSL request']);
    expect(values(f1, 'pgsql.length')).toEqual([8]);
    expect(values(f1, 'pgsql.request_code')).toEqual([80877103]);
    expect(f1.pinfo.colInfo).toBe('>');
    expect(f1.pinfo.colProtocol).toBe('PGSQL');

    const f2 = c.server(str('N'));
    expect(values(f2, 'pgsql.type')).toEqual(['SSL response']);
    expect(values(f2, 'pgsql.ssl_response')).toEqual(['N']);
    expect(f2.pinfo.colInfo).toBe('<');

    const f3 = c.client(startup({ user: 'alice', database: 'sales', application_name: 'psql' }));
    expect(values(f3, 'pgsql.type')).toEqual(['Startup message']);
    expect(values(f3, 'pgsql.version_major')).toEqual([3]);
    expect(values(f3, 'pgsql.version_minor')).toEqual([0]);
    expect(values(f3, 'pgsql.parameter_name')).toEqual(['user', 'database', 'application_name']);
    expect(values(f3, 'pgsql.parameter_value')).toEqual(['alice', 'sales', 'psql']);
    expect(values(f3, 'pgsql.frontend')).toEqual([true]);
    expect(f3.pinfo.colInfo).toBe('>');

    const f4 = c.server(msg('R', i32(5), Uint8Array.from([1, 2, 3, 4])));
    expect(values(f4, 'pgsql.authtype')).toEqual([5]);
    expect(values(f4, 'pgsql.salt')).toEqual([Uint8Array.from([1, 2, 3, 4])]);
    expect(f4.pinfo.colInfo).toBe('<R');

    const f5 = c.client(msg('p', cstr('md5abcdef0123456789')));
    expect(values(f5, 'pgsql.type')).toEqual(['Password message']);
    expect(values(f5, 'pgsql.password')).toEqual(['<hidden, 19 bytes>']);

    const f6 = c.server(authOk(), msg('S', cstr('TimeZone'), cstr('UTC')), msg('K', i32(42), i32(99)), readyForQuery());
    expect(values(f6, 'pgsql.type')).toEqual(['Authentication request', 'Parameter status', 'Backend key data', 'Ready for query']);
    expect(values(f6, 'pgsql.parameter_name')).toEqual(['TimeZone']);
    expect(values(f6, 'pgsql.pid')).toEqual([42]);
    expect(values(f6, 'pgsql.key')).toEqual([99]);
    expect(values(f6, 'pgsql.status')).toEqual([0x49]);
    expect(values(f6, 'pgsql.frontend')).toEqual([false, false, false, false]);
    expect(f6.pinfo.colInfo).toBe('<R/S/K/Z');

    expect(c.events).toEqual([
      { kind: 'tls', phase: 'requested' },
      { kind: 'tls', phase: 'refused' },
      { kind: 'login', phase: 'attempt', user: 'alice', database: 'sales' },
      { kind: 'login', phase: 'ok', user: 'alice', database: 'sales' },
    ]);
  });

  it('shows the password when secrets are switched on', () => {
    setShowSecrets(true);
    const c = new Conversation();
    c.client(startup({ user: 'u' }));
    c.server(msg('R', i32(3)));
    const f = c.client(msg('p', cstr('hunter2')));
    expect(values(f, 'pgsql.password')).toEqual(['hunter2']);
  });

  it('follows a SCRAM-SHA-256 exchange and names each client message as Wireshark does', () => {
    const c = new Conversation();
    c.client(startup({ user: 'app' }));
    const r1 = c.server(msg('R', i32(10), cstr('SCRAM-SHA-256-PLUS'), cstr('SCRAM-SHA-256'), Uint8Array.from([0])));
    expect(values(r1, 'pgsql.auth.sasl.mech')).toEqual(['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']);
    const clientFirst = str('n,,n=,r=abcdef');
    const p1 = c.client(msg('p', cstr('SCRAM-SHA-256'), i32(clientFirst.length), clientFirst));
    expect(values(p1, 'pgsql.type')).toEqual(['SASLInitialResponse message']);
    expect(values(p1, 'pgsql.auth.sasl.mech')).toEqual(['SCRAM-SHA-256']);
    expect(values(p1, 'pgsql.auth.sasl.data.length')).toEqual([clientFirst.length]);
    expect(values(p1, 'pgsql.auth.sasl.data')).toEqual([new Uint8Array(0)]);
    expect(p1.tree.first('pgsql.auth.sasl.data')!.text).toBe(`SASL authentication data: <hidden, ${clientFirst.length} bytes>`);
    const serverFirst = str('r=abcdefXYZ,s=c2FsdA==,i=4096');
    const r2 = c.server(msg('R', i32(11), serverFirst));
    expect(values(r2, 'pgsql.authtype')).toEqual([11]);
    expect(values(r2, 'pgsql.auth.sasl.data')).toEqual([serverFirst]);
    const p2 = c.client(msg('p', str('c=biws,r=abcdefXYZ,p=proof')));
    expect(values(p2, 'pgsql.type')).toEqual(['SASLResponse message']);
    const r3 = c.server(msg('R', i32(12), str('v=sig')), authOk(), readyForQuery());
    expect(values(r3, 'pgsql.authtype')).toEqual([12, 0]);
    expect(r3.pinfo.colInfo).toBe('<R/R/Z');
    expect(c.events.map((e) => e.kind === 'login' && e.phase)).toEqual(['attempt', 'ok']);

    // Re-dissecting the SASLInitialResponse frame (3) after the exchange names it the same.
    const again = c.redissect(3, false, msg('p', cstr('SCRAM-SHA-256'), i32(clientFirst.length), clientFirst));
    expect(values(again, 'pgsql.type')).toEqual(['SASLInitialResponse message']);
    expect(values(again, 'pgsql.auth.sasl.mech')).toEqual(['SCRAM-SHA-256']);
  });

  it('reports a failed login with the SQLSTATE (28P01) and no ok', () => {
    const c = new Conversation();
    c.client(startup({ user: 'app', database: 'shop' }));
    c.server(msg('R', i32(3)));
    c.client(msg('p', cstr('wrong')));
    const f = c.server(errorResponse({ S: 'FATAL', V: 'FATAL', C: '28P01', M: 'password authentication failed for user "app"', F: 'auth.c', L: '326', R: 'auth_failed' }));
    expect(values(f, 'pgsql.type')).toEqual(['Error']);
    expect(values(f, 'pgsql.severity')).toEqual(['FATAL']);
    expect(values(f, 'pgsql.text')).toEqual(['FATAL']);
    expect(values(f, 'pgsql.code')).toEqual(['28P01']);
    expect(values(f, 'pgsql.routine')).toEqual(['auth_failed']);
    expect(f.pinfo.colInfo).toBe('<E');
    expect(c.events).toEqual([
      { kind: 'login', phase: 'attempt', user: 'app', database: 'shop' },
      { kind: 'login', phase: 'error', user: 'app', database: 'shop', errorCode: '28P01', errorMessage: 'password authentication failed for user "app"' },
    ]);
  });

  it('defaults the database to the user name and reports 3D000 as a login error', () => {
    const c = new Conversation();
    c.client(startup({ user: 'bob' }));
    c.server(authOk(), errorResponse({ S: 'FATAL', C: '3D000', M: 'database "bob" does not exist' }));
    expect(c.events).toEqual([
      { kind: 'login', phase: 'attempt', user: 'bob', database: 'bob' },
      { kind: 'login', phase: 'error', user: 'bob', database: 'bob', errorCode: '3D000', errorMessage: 'database "bob" does not exist' },
    ]);
  });

  it('stops decoding PostgreSQL after the server accepts SSL', () => {
    const c = new Conversation();
    c.client(sslRequest());
    const a = c.server(str('S'));
    expect(values(a, 'pgsql.ssl_response')).toEqual(['S']);
    const hello = cat([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0, 0, 1, 0]);
    const f = c.client(hello);
    expect(f.tree.has('pgsql.type')).toBe(false);
    expect(f.pinfo.colProtocol).toBe('TLS');
    expect(f.pinfo.colInfo).toBe('Client Hello');
    // Bytes that would be a valid ErrorResponse are not decoded as one once TLS is on.
    const g = c.server(errorResponse({ S: 'ERROR' }));
    expect(g.tree.has('pgsql.severity')).toBe(false);
    expect(g.messages).toHaveLength(1);
    expect(c.events).toEqual([
      { kind: 'tls', phase: 'requested' },
      { kind: 'tls', phase: 'accepted' },
      { kind: 'tls', phase: 'started' },
    ]);
  });

  it('decodes GSSENCRequest with its one-byte refusal, then a normal startup', () => {
    const c = new Conversation();
    expect(values(c.client(gssencRequest()), 'pgsql.type')).toEqual(['GSS encrypt request']);
    const a = c.server(str('N'));
    expect(values(a, 'pgsql.type')).toEqual(['GSS encrypt response']);
    expect(values(a, 'pgsql.gssenc_response')).toEqual(['N']);
    c.client(startup({ user: 'x' }));
    const r = c.server(authOk(), readyForQuery());
    expect(values(r, 'pgsql.type')).toEqual(['Authentication request', 'Ready for query']);
  });

  it('frames an ErrorResponse answering SSLRequest (old server) as a message', () => {
    const c = new Conversation();
    c.client(sslRequest());
    const f = c.server(errorResponse({ S: 'FATAL', C: '08P01', M: 'unsupported frontend protocol' }));
    expect(values(f, 'pgsql.type')).toEqual(['Error']);
    expect(values(f, 'pgsql.code')).toEqual(['08P01']);
    expect(c.state.pendingAnswer).toBeNull();
  });

  it('treats the stream as GSSAPI-encrypted after a "G" answer', () => {
    const c = new Conversation();
    c.client(gssencRequest());
    const a = c.server(str('G'));
    expect(values(a, 'pgsql.gssenc_response')).toEqual(['G']);
    const f = c.client(cat(i32(6), str('token')));
    expect(f.tree.has('pgsql.type')).toBe(false);
    expect(f.messages).toHaveLength(1);
    expect(f.pinfo.colInfo).toBe('>');
  });

  it('decodes CancelRequest', () => {
    const c = new Conversation();
    const f = c.client(cancelRequest(4242, 0xdeadbeef));
    expect(values(f, 'pgsql.type')).toEqual(['Cancel request']);
    expect(values(f, 'pgsql.pid')).toEqual([4242]);
    expect(values(f, 'pgsql.key')).toEqual([0xdeadbeef]);
  });

  it('decodes NegotiateProtocolVersion', () => {
    const c = new Conversation();
    c.client(startup({ user: 'x', _pq_foo: '1' }, 0x00030001));
    const f = c.server(msg('v', i32(0), i32(1), cstr('_pq_foo')));
    expect(values(f, 'pgsql.type')).toEqual(['Negotiate protocol version']);
    expect(values(f, 'pgsql.version_supported_minor')).toEqual([0]);
    expect(values(f, 'pgsql.number_nonsupported_options')).toEqual([1]);
    expect(values(f, 'pgsql.nonsupported_option')).toEqual(['_pq_foo']);
  });
});

describe('pgsql simple query', () => {
  it('decodes a result set and pairs request, rows and ReadyForQuery', () => {
    const c = loggedIn();
    const q = c.client(query('SELECT id, name FROM orders'));
    expect(values(q, 'pgsql.type')).toEqual(['Simple query']);
    expect(values(q, 'pgsql.query')).toEqual(['SELECT id, name FROM orders']);
    expect(q.pinfo.colInfo).toBe('>Q');
    const r = c.server(rowDescription(['id', 'name']), dataRow(['1', 'a']), dataRow(['2', null]), commandComplete('SELECT 2'), readyForQuery());
    expect(r.pinfo.colInfo).toBe('<T/D/D/C/Z');
    expect(values(r, 'pgsql.field.count')).toEqual([2, 2, 2]);
    expect(values(r, 'pgsql.col.name')).toEqual(['id', 'name']);
    expect(values(r, 'pgsql.oid.table')).toEqual([16384, 16384]);
    expect(values(r, 'pgsql.col.index')).toEqual([1, 2]);
    expect(values(r, 'pgsql.oid.type')).toEqual([23, 23]);
    expect(values(r, 'pgsql.val.length')).toEqual([4, 4, 1, 1, 1, -1]);
    expect(values(r, 'pgsql.col.typemod')).toEqual([-1, -1]);
    expect(values(r, 'pgsql.format')).toEqual([0, 0]);
    expect(values(r, 'pgsql.val.data')).toEqual([str('1'), str('a'), str('2')]);
    expect(values(r, 'pgsql.tag')).toEqual(['SELECT 2']);
    expect(c.events).toEqual([
      { kind: 'request', command: 'Simple query', statement: 'SELECT id, name FROM orders' },
      { kind: 'response', status: 'ok', rows: 2, final: false },
      { kind: 'response', status: 'ok', rows: 2, final: true },
    ]);
  });

  it('marks the final response an error when one statement of the query fails', () => {
    const c = loggedIn();
    c.client(query('INSERT INTO t VALUES (1),(2),(3); SELECT * FROM nope'));
    const r = c.server(commandComplete('INSERT 0 3'), errorResponse({ S: 'ERROR', C: '42P01', M: 'relation "nope" does not exist', P: '41' }), readyForQuery('I'));
    expect(values(r, 'pgsql.position')).toEqual(['41']);
    expect(c.events.slice(1)).toEqual([
      { kind: 'response', status: 'ok', rows: 3, final: false },
      { kind: 'response', status: 'error', errorCode: '42P01', errorMessage: 'relation "nope" does not exist', final: false },
      { kind: 'response', status: 'error', errorCode: '42P01', errorMessage: 'relation "nope" does not exist', final: true, rows: 3 },
    ]);
  });

  it('maps every ErrorResponse/NoticeResponse field code to Wireshark\'s field', () => {
    const c = loggedIn();
    c.client(query('x'));
    const all = { S: 'ERROR', V: 'ERROR', C: '23505', M: 'dup', D: 'detail', H: 'hint', P: '3', p: '4', q: 'iq', W: 'ctx', s: 'public', t: 'tbl', c: 'col', d: 'typ', n: 'cons', F: 'f.c', L: '12', R: 'rtn', Z: 'future' };
    const r = c.server(errorResponse(all), errorResponse({ S: 'NOTICE', M: 'just saying' }, 'N'), readyForQuery());
    const expectField = (name: string, v: string[]): void => { expect(values(r, name)).toEqual(v); };
    expectField('pgsql.severity', ['ERROR', 'NOTICE']);
    expectField('pgsql.text', ['ERROR', 'future']);
    expectField('pgsql.code', ['23505']);
    expectField('pgsql.message', ['dup', 'just saying']);
    expectField('pgsql.detail', ['detail']);
    expectField('pgsql.hint', ['hint']);
    expectField('pgsql.position', ['3']);
    expectField('pgsql.internal_position', ['4']);
    expectField('pgsql.internal_query', ['iq']);
    expectField('pgsql.where', ['ctx']);
    expectField('pgsql.schema_name', ['public']);
    expectField('pgsql.table_name', ['tbl']);
    expectField('pgsql.column_name', ['col']);
    expectField('pgsql.type_name', ['typ']);
    expectField('pgsql.constraint_name', ['cons']);
    expectField('pgsql.file', ['f.c']);
    expectField('pgsql.line', ['12']);
    expectField('pgsql.routine', ['rtn']);
    expect(values(r, 'pgsql.type')).toEqual(['Error', 'Notice', 'Ready for query']);
    // A notice is not a response.
    expect(c.events.filter((e) => e.kind === 'response')).toHaveLength(2);
  });

  it('counts DataRows when the tag has no count, and handles EmptyQueryResponse', () => {
    const c = loggedIn();
    c.client(query('SHOW x'));
    c.server(rowDescription(['x']), dataRow(['1']), commandComplete('SHOW'), readyForQuery());
    c.client(query(''));
    const r = c.server(msg('I'), readyForQuery());
    expect(values(r, 'pgsql.type')).toEqual(['Empty query', 'Ready for query']);
    expect(c.events.filter((e) => e.kind === 'response' && e.final)).toEqual([
      { kind: 'response', status: 'ok', rows: 1, final: true },
      { kind: 'response', status: 'ok', rows: 0, final: true },
    ]);
  });

  it('shows a message that spans segments in the frame that completes it ("<D<C/Z")', () => {
    const c = loggedIn();
    c.client(query('SELECT big'));
    const row = dataRow(['x'.repeat(3000)]);
    const f1 = c.server(rowDescription(['b']), row.subarray(0, 1000));
    expect(f1.pinfo.colInfo).toBe('<T');
    const f2 = c.server(row.subarray(1000, 2000));
    expect(f2.messages).toHaveLength(0);
    const f3 = c.server(row.subarray(2000), commandComplete('SELECT 1'), readyForQuery());
    expect(f3.pinfo.colInfo).toBe('<D<C/Z');
    expect(values(f3, 'pgsql.val.length')).toEqual([3000]);
    expect(f3.tree.first('pgsql.val.data')!.ds).toBe(1);
  });

  it('decodes COPY in and out, notifications, and function calls', () => {
    const c = loggedIn();
    c.client(query('COPY t FROM STDIN'));
    const g = c.server(msg('G', Uint8Array.from([0]), i16(2), i16(0), i16(0)));
    expect(values(g, 'pgsql.type')).toEqual(['CopyIn response']);
    expect(values(g, 'pgsql.format')).toEqual([0, 0, 0]);
    const d = c.client(msg('d', str('1\tx\n')), msg('d', str('2\ty\n')), msg('c'));
    expect(values(d, 'pgsql.type')).toEqual(['Copy data', 'Copy data', 'Copy completion']);
    expect(values(d, 'pgsql.copydata')).toEqual([str('1\tx\n'), str('2\ty\n')]);
    c.server(commandComplete('COPY 2'), readyForQuery());
    c.client(query('COPY t TO STDOUT'));
    const o = c.server(msg('H', Uint8Array.from([0]), i16(1), i16(0)), msg('d', str('1\n')), msg('c'), commandComplete('COPY 1'), readyForQuery());
    expect(values(o, 'pgsql.type')).toEqual(['CopyOut response', 'Copy data', 'Copy completion', 'Command completion', 'Ready for query']);
    c.client(query('COPY t FROM STDIN'));
    c.server(msg('G', Uint8Array.from([0]), i16(0)));
    const fail = c.client(msg('f', cstr('aborted by user')));
    expect(values(fail, 'pgsql.error')).toEqual(['aborted by user']);
    c.server(errorResponse({ S: 'ERROR', C: '57014', M: 'COPY from stdin failed' }), readyForQuery());

    const n = c.server(msg('A', i32(77), cstr('chan'), cstr('payload')));
    expect(values(n, 'pgsql.type')).toEqual(['Notification']);
    expect(values(n, 'pgsql.condition')).toEqual(['chan']);
    expect(values(n, 'pgsql.text')).toEqual(['payload']);

    const fc = c.client(msg('F', i32(1598), i16(1), i16(0), i16(1), i32(2), str('42'), i16(0)));
    expect(values(fc, 'pgsql.type')).toEqual(['Function call']);
    expect(values(fc, 'pgsql.oid')).toEqual([1598]);
    const v = c.server(msg('V', i32(3), str('abc')), readyForQuery());
    expect(values(v, 'pgsql.type')).toEqual(['Function call response', 'Ready for query']);
    expect(values(v, 'pgsql.val.data')).toEqual([str('abc')]);

    const finals = c.events.filter((e) => e.kind === 'response' && e.final);
    expect(finals.map((e) => e.kind === 'response' && [e.status, e.rows])).toEqual([['ok', 2], ['ok', 1], ['error', undefined], ['ok', undefined]]);
    expect(c.events.filter((e) => e.kind === 'request').map((e) => e.kind === 'request' && e.statement))
      .toEqual(['COPY t FROM STDIN', 'COPY t TO STDOUT', 'COPY t FROM STDIN', 'function oid 1598']);
  });

  it('reports Terminate as a request that expects no response', () => {
    const c = loggedIn();
    const f = c.client(msg('X'));
    expect(values(f, 'pgsql.type')).toEqual(['Termination']);
    expect(c.events).toEqual([{ kind: 'request', command: 'Termination', statement: '', expectsResponse: false }]);
  });
});

describe('pgsql extended query', () => {
  it('decodes Parse/Bind/Describe/Execute/Sync and emits one request per Execute with its values', () => {
    const c = loggedIn();
    const f = c.client(
      parse('s1', 'SELECT * FROM orders WHERE id = $1 AND tag = $2', [23, 25]), bind('', 's1', ['42', null]), describeMsg('P', ''), execute('', 0),
      parse('', 'UPDATE t SET a = $1', []), bind('p2', '', ['x'], [0]), execute('p2', 10), sync(),
    );
    expect(f.pinfo.colInfo).toBe('>P/B/D/E/P/B/E/S');
    expect(values(f, 'pgsql.type')).toEqual(['Parse', 'Bind', 'Describe', 'Execute', 'Parse', 'Bind', 'Execute', 'Sync']);
    expect(values(f, 'pgsql.statement')).toEqual(['s1', 's1', '', '']);
    expect(values(f, 'pgsql.portal')).toEqual(['', '', '', 'p2', 'p2']);
    expect(values(f, 'pgsql.oid.type')).toEqual([23, 25]);
    expect(values(f, 'pgsql.val.length')).toEqual([2, -1, 1]);
    expect(values(f, 'pgsql.returns')).toEqual([0, 10]);
    expect(values(f, 'pgsql.format')).toEqual([0]);
    expect(f.tree.all('pgsql.returns')[0]!.text).toBe('Returns: all rows');
    expect(c.events).toEqual([
      { kind: 'request', command: 'Execute', statement: 'SELECT * FROM orders WHERE id = $1 AND tag = $2', params: ['42', 'NULL'] },
      { kind: 'request', command: 'Execute', statement: 'UPDATE t SET a = $1', params: ['x'] },
    ]);
    c.events.length = 0;
    const r = c.server(msg('1'), msg('2'), rowDescription(['id']), dataRow(['42']), commandComplete('SELECT 1'), msg('1'), msg('2'), commandComplete('UPDATE 7'), readyForQuery());
    expect(r.pinfo.colInfo).toBe('<1/2/T/D/C/1/2/C/Z');
    expect(values(r, 'pgsql.type').slice(0, 2)).toEqual(['Parse completion', 'Bind completion']);
    expect(c.events).toEqual([
      { kind: 'response', status: 'ok', rows: 1, final: true },
      { kind: 'response', status: 'ok', rows: 7, final: true },
    ]);
  });

  it('gives Executes skipped after an error a final error response at ReadyForQuery', () => {
    const c = loggedIn();
    c.client(parse('', 'SELEC 1'), bind('', '', []), execute(''), parse('', 'SELECT 2'), bind('', '', []), execute(''), sync());
    c.events.length = 0;
    c.server(errorResponse({ S: 'ERROR', C: '42601', M: 'syntax error at or near "SELEC"' }), readyForQuery());
    expect(c.events).toHaveLength(2);
    expect(c.events[0]).toEqual({ kind: 'response', status: 'error', errorCode: '42601', errorMessage: 'syntax error at or near "SELEC"', final: true });
    expect(c.events[1]).toMatchObject({ kind: 'response', status: 'error', errorCode: '42601', final: true });
    // The next batch pairs normally.
    c.client(bind('', '', []), execute(''), sync());
    c.events.length = 0;
    c.server(msg('2'), commandComplete('SELECT 0'), readyForQuery());
    expect(c.events).toEqual([{ kind: 'response', status: 'ok', rows: 0, final: true }]);
  });

  it('shows binary parameters as hex, decodes Close and PortalSuspended, ParameterDescription and NoData', () => {
    const c = loggedIn();
    c.client(parse('s', 'SELECT $1::int', [23]), msg('D', str('S'), cstr('s')), msg('H'));
    const d = c.server(msg('1'), msg('t', i16(1), i32(23)), msg('n'));
    expect(values(d, 'pgsql.type')).toEqual(['Parse completion', 'Parameter description', 'No data']);
    expect(values(d, 'pgsql.oid.type')).toEqual([23]);
    c.client(msg('B', cstr('cur'), cstr('s'), i16(1), i16(1), i16(1), i32(4), i32(7), i16(0)), execute('cur', 1), sync());
    expect(c.events.at(-1)).toEqual({ kind: 'request', command: 'Execute', statement: 'SELECT $1::int', params: ['\\x00000007'] });
    c.server(msg('2'), dataRow(['7']), msg('s'), readyForQuery('T'));
    expect(c.events.filter((e) => e.kind === 'response')).toEqual([{ kind: 'response', status: 'ok', rows: 1, final: true }]);
    const cl = c.client(msg('C', str('P'), cstr('cur')), msg('C', str('S'), cstr('s')), sync());
    expect(values(cl, 'pgsql.type')).toEqual(['Close', 'Close', 'Sync']);
    expect(values(cl, 'pgsql.portal')).toEqual(['cur']);
    expect(values(cl, 'pgsql.statement')).toEqual(['s']);
    const cc = c.server(msg('3'), msg('3'), readyForQuery());
    expect(values(cc, 'pgsql.type')).toEqual(['Close completion', 'Close completion', 'Ready for query']);
  });
});

describe('pgsql malformed input', () => {
  it('marks an impossible length malformed without a type (as Wireshark: "<[Malformed Packet]")', () => {
    const c = new Conversation();
    c.client(startup({ user: 'zeek' }));
    const f = c.server(cat(str('Z'), i32(1), [0, 0]));
    expect(f.tree.has('_ws.malformed')).toBe(true);
    expect(f.tree.has('pgsql.type')).toBe(false);
    expect(f.pinfo.colInfo).toBe('<[Malformed Packet]');
    expect(f.crashes).toEqual([]);
  });

  it('keeps the fields before a missing terminator and marks the message malformed', () => {
    const c = new Conversation();
    c.client(cat(i32(3), [0, 3, 0, 0]).subarray(0, 4));
    const f = c.server(cat(str('E'), i32(20), str('SINFO'), [0], str('MTest Error'), [0], [0, 0]).subarray(0, 21));
    expect(values(f, 'pgsql.severity')).toEqual(['INFO']);
    expect(f.tree.has('_ws.malformed')).toBe(true);
    expect(f.crashes).toEqual([]);
  });

  it('survives random mutations of a whole conversation (only BoundsError, bounded time)', () => {
    const script: [boolean, Uint8Array][] = [
      [false, sslRequest()], [true, str('N')],
      [false, startup({ user: 'app', database: 'shop' })],
      [true, msg('R', i32(10), cstr('SCRAM-SHA-256'), Uint8Array.from([0]))],
      [false, msg('p', cstr('SCRAM-SHA-256'), i32(4), str('abcd'))],
      [true, cat(msg('R', i32(12), str('v=1')), authOk(), msg('S', cstr('a'), cstr('b')), readyForQuery())],
      [false, cat(parse('s', 'select $1', [23]), bind('', 's', ['1']), describeMsg('P', ''), execute(''), sync())],
      [true, cat(msg('1'), msg('2'), rowDescription(['a', 'b']), dataRow(['1', null]), commandComplete('SELECT 1'), readyForQuery())],
      [false, query('select 1')],
      [true, cat(errorResponse({ S: 'ERROR', C: '42P01', M: 'm' }), msg('G', Uint8Array.from([0]), i16(1), i16(0)), msg('A', i32(1), cstr('c'), cstr('')), msg('v', i32(0), i32(2), cstr('x'), cstr('y')), readyForQuery())],
    ];
    let seed = 12345;
    const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
    const start = Date.now();
    for (let iter = 0; iter < 300; iter++) {
      const c = new Conversation();
      for (const [fromServer, bytes] of script) {
        const b = bytes.slice();
        const flips = 1 + rand(4);
        for (let k = 0; k < flips; k++) b[rand(b.length)] = rand(256);
        const cut = rand(5) === 0 ? b.subarray(0, rand(b.length + 1)) : b;
        const r = c.send(fromServer, cut);
        expect(r.crashes).toEqual([]);
      }
    }
    expect(Date.now() - start).toBeLessThan(20_000);
  });
});

describe('pgsql framing and detection', () => {
  const s = () => pgsqlDissector.newState();

  it('asks for more bytes until the length is known', () => {
    expect(pgsqlDissector.pduLength(Uint8Array.from([0x51, 0, 0]), s(), false)).toBe(NEED_MORE);
    expect(pgsqlDissector.pduLength(query('x'), s(), false)).toBe(7);
    expect(pgsqlDissector.pduLength(startup({ user: 'u' }), s(), false)).toBe(startup({ user: 'u' }).length);
  });

  it('resynchronises on the next plausible message after a gap', () => {
    const st = s();
    const data = cat(str('garbage!!'), dataRow(['1']), commandComplete('SELECT 1'), readyForQuery());
    pgsqlDissector.gap!(st, true);
    expect(pgsqlDissector.resync!(data, st, true)).toBe(9);
  });

  it('probes strictly: only a real StartupMessage / SSLRequest / GSSENCRequest / CancelRequest', async () => {
    const { pgsqlProbe } = await import('../../../electron/engine/decode/protocols/pgsql');
    expect(pgsqlProbe(startup({ user: 'app', database: 'db' }), false)).toBe(true);
    expect(pgsqlProbe(sslRequest(), false)).toBe(true);
    expect(pgsqlProbe(gssencRequest(), false)).toBe(true);
    expect(pgsqlProbe(cancelRequest(1, 2), false)).toBe(true);
    expect(pgsqlProbe(startup({ user: 'app' }), true)).toBe(false);
    expect(pgsqlProbe(startup({ database: 'x' }), false)).toBe(false); // no user
    expect(pgsqlProbe(startup({ user: 'x' }, 0x00020000), false)).toBe(false); // protocol 2
    expect(pgsqlProbe(str('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), false)).toBe(false);
    expect(pgsqlProbe(query('select 1'), false)).toBe(false);
    // A wrong length field does not hide a real StartupMessage (the server answers it).
    const bad = startup({ user: 'zeek' });
    bad.set(i32(3), 0);
    expect(pgsqlProbe(bad, false)).toBe(true);
    expect(pgsqlProbe(cat(i32(8), i32(0x00ff00ff)), false)).toBe(false); // unknown request code
    expect(pgsqlProbe(startup({ user: 'zeek' }).subarray(0, 12), false)).toBe(false); // list cut short
  });

  it('vetoes HTTP and MySQL on port 5432 and accepts a capture that starts mid-connection', async () => {
    const { looksLikePgsqlStream } = await import('../../../electron/engine/decode/protocols/pgsql');
    expect(looksLikePgsqlStream(startup({ user: 'u' }))).toBe(true);
    expect(looksLikePgsqlStream(sslRequest(), str('S'))).toBe(true);
    expect(looksLikePgsqlStream(str('GET / HTTP/1.1\r\nHost: example\r\n\r\n'))).toBe(false);
    expect(looksLikePgsqlStream(str('POST /x HTTP/1.1\r\n\r\n'))).toBe(false);
    expect(looksLikePgsqlStream(str('DELETE /x HTTP/1.1\r\n\r\n'))).toBe(false);
    // MySQL: the server greets first; the client answers with a HandshakeResponse.
    const greeting = cat([0x4a, 0, 0, 0, 0x0a], str('8.0.36'), [0], i32(8), str('abcdefgh'), [0], new Uint8Array(50));
    const mysqlLogin = cat([0xb4, 0, 0, 1, 0x8d, 0xa6, 0x3f, 0x20], new Uint8Array(40), cstr('root'));
    expect(looksLikePgsqlStream(undefined, greeting)).toBe(false);
    expect(looksLikePgsqlStream(mysqlLogin, greeting)).toBe(false);
    // Mid-connection: a complete query from the client, a result from the server.
    expect(looksLikePgsqlStream(query('SELECT 1'), cat(rowDescription(['x']), dataRow(['1']), commandComplete('SELECT 1'), readyForQuery()))).toBe(true);
    expect(looksLikePgsqlStream(cat(parse('', 'select 1'), bind('', '', []), execute(''), sync()))).toBe(true);
  });
});
