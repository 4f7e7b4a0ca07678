import { describe, expect, it, afterEach } from 'vitest';
import { setShowSecrets, tdsDissector } from '../../../electron/engine/decode/protocols/tds';
import { NEED_MORE, NOT_A_PDU } from '../../../electron/engine/decode/app';
import type { TdsState } from '../../../electron/engine/decode/protocols/tds/state';
import {
  allHeaders, ascii, bvarchar, bytes, done, envchange, errorToken, feed, login7, loginAck, packet, prelogin,
  u16le, u32be, u32le, ucs2, usvarchar, values,
} from './tds-helpers';

const fresh = (): TdsState => tdsDissector.newState();
const C = false; // from client
const S = true; // from server

describe('TDS packet header and framing', () => {
  it('reads the 8-byte header and sizes the PDU from its big-endian length', () => {
    const p = packet(1, [...allHeaders(), ...ucs2('select 1')], { channel: 52, packet: 1 });
    expect(tdsDissector.pduLength(p, fresh(), C)).toBe(p.length);
    expect(tdsDissector.pduLength(p.subarray(0, 3), fresh(), C)).toBe(NEED_MORE);
    expect(tdsDissector.pduLength(Uint8Array.from([1, 1, 0, 4, 0, 0, 1, 0]), fresh(), C)).toBe(NOT_A_PDU);
    const r = feed(fresh(), p, C);
    expect(values(r, 'tds.type')).toEqual([1]);
    expect(values(r, 'tds.status')).toEqual([1]);
    expect(values(r, 'tds.status.eom')).toEqual([true]);
    expect(values(r, 'tds.length')).toEqual([p.length]);
    expect(values(r, 'tds.channel')).toEqual([52]);
    expect(values(r, 'tds.packet_number')).toEqual([1]);
    expect(values(r, 'tds.window')).toEqual([0]);
    expect(r.pinfo.colProtocol).toBe('TDS');
    expect(r.pinfo.colInfo).toBe('SQL batch');
  });

  it('reassembles a message over several packets and decodes it on the last one', () => {
    const st = fresh();
    const body = [...allHeaders(), ...ucs2('select * from a_rather_long_table_name')];
    const first = packet(1, body.slice(0, 30), { status: 0, packet: 1 });
    const second = packet(1, body.slice(30), { status: 1, packet: 2 });
    const r1 = feed(st, first, C, 1);
    expect(values(r1, 'tds.type')).toEqual([1]);
    expect(values(r1, 'tds.query')).toEqual([]);
    expect(r1.pinfo.colInfo).toBe('SQL batch (Not last buffer)');
    expect(r1.events).toEqual([]);
    const r2 = feed(st, second, C, 2);
    expect(values(r2, 'tds.query')).toEqual(['select * from a_rather_long_table_name']);
    expect(r2.tree.dataSources.map((d) => d.name)).toContain('Reassembled TDS');
    expect(r2.events).toEqual([{ kind: 'request', command: 'SQL batch', statement: 'select * from a_rather_long_table_name' }]);
  });

  it('numbers from 0 mean in-order reassembly (DB-Library style), sticky for the connection', () => {
    const st = fresh();
    const body = [...ucs2('select 42')];
    feed(st, packet(1, body.slice(0, 6), { status: 0, packet: 0 }), C);
    const r = feed(st, packet(1, body.slice(6), { status: 1, packet: 0 }), C);
    expect(values(r, 'tds.query')).toEqual(['select 42']);
    expect(st.inOrder).toBe(true);
  });

  it('like Wireshark, does not reassemble when the status byte is not a known combination', () => {
    const st = fresh();
    const r1 = feed(st, packet(3, [1, 2, 3, 4], { status: 0x04, packet: 1 }), C);
    expect(values(r1, 'tds.rpc.name')).toEqual([]);
    // The continuation (packet 2, EOM) alone cannot be rebuilt: shown as data, not mis-decoded.
    const r2 = feed(st, packet(3, [5, 6, 7, 8], { status: 0x01, packet: 2 }), C);
    expect(values(r2, 'tds.type')).toEqual([3]);
    expect(r2.tree.has('tds.rpc')).toBe(false);
    expect(r2.malformed).toBe(false);
  });

  it('several PDUs in one segment give one protocol item each and a comma-joined Info', () => {
    const seg = bytes(packet(6, []), packet(1, ucs2('select 1')));
    const r = feed(fresh(), seg, C);
    expect(values(r, 'tds.type')).toEqual([6, 1]);
    expect(r.pinfo.colInfo).toBe('Attention,SQL batch');
  });
});

describe('PRELOGIN and TLS', () => {
  const clientPrelogin = prelogin([[0, [...u32be(0x0f000000), 0, 0]], [1, [0]], [2, [...ascii('MSSQLServer'), 0]], [3, u32be(1234)], [4, [0]]]);

  it('decodes the option table of the request and of the answer (in a Response packet)', () => {
    const st = fresh();
    const r = feed(st, packet(0x12, clientPrelogin, { packet: 0 }), C);
    expect(r.pinfo.colInfo).toBe('TDS7 pre-login message');
    expect(values(r, 'tds.prelogin.option.token')).toEqual([0, 1, 2, 3, 4, 255]);
    expect(values(r, 'tds.prelogin.option.version')).toEqual([0x0f000000]);
    expect(values(r, 'tds.prelogin.option.encryption')).toEqual([0]);
    expect(values(r, 'tds.prelogin.option.instopt')).toEqual(['MSSQLServer']);
    expect(values(r, 'tds.prelogin.option.threadid')).toEqual([1234]);
    expect(values(r, 'tds.prelogin.option.mars')).toEqual([0]);
    expect(r.events).toEqual([{ kind: 'tls', phase: 'requested' }]);

    const answer = prelogin([[0, [...u32be(0x08000341), 0, 0]], [1, [2]]]);
    const r2 = feed(st, packet(4, answer), S);
    expect(values(r2, 'tds.prelogin.option.encryption')).toEqual([2]);
    expect(r2.events).toEqual([{ kind: 'tls', phase: 'refused' }]);
    expect(r2.tree.has('tds.done')).toBe(false);
    expect(st.version).toBe(0x7100); // SQL Server 2000 → TDS 7.1
  });

  it('recognises TLS handshake records wrapped in PRELOGIN packets as TLS, not options', () => {
    const st = fresh();
    const hello = [0x16, 3, 1, ...[0, 5], 1, 0, 0, 1, 0];
    const r = feed(st, packet(0x12, hello), C);
    expect(r.tree.all('tds.prelogin')[0]!.text).toBe('Pre-Login Message - TLS exchange');
    expect(r.tree.has('tds.prelogin.option.token')).toBe(false);
    expect(r.events).toEqual([{ kind: 'tls', phase: 'started' }]);
  });

  it('marks the TLS record that carries LOGIN7 (login-only encryption) without decoding it', () => {
    const st = fresh();
    feed(st, packet(0x12, [0x16, 3, 3, 0, 1, 0]), C);
    const record = Uint8Array.from([0x17, 3, 3, 0, 4, 9, 9, 9, 9]);
    expect(tdsDissector.pduLength(record, st, C)).toBe(9);
    const r = feed(st, record, C);
    expect(r.pinfo.colProtocol).toBe('TLS');
    expect(r.pinfo.colInfo).toBe('TDS7 login (encrypted in TLS)');
    expect(r.tree.has('tds.type')).toBe(false);
    expect(r.tree.has('tds.7login.username')).toBe(false);
    expect(r.events).toEqual([{ kind: 'login', phase: 'attempt' }]);
    // The server's plaintext LOGINACK still completes the login.
    const ack = feed(st, packet(4, [...loginAck(), ...done(0xfd, 0, 0, 0)]), S);
    expect(ack.events).toEqual([{ kind: 'login', phase: 'ok' }]);
  });
});

describe('LOGIN7', () => {
  afterEach(() => setShowSecrets(false));
  const msg = login7({ user: 'sa', password: 'Secret1!', app: 'sqlcmd', server: 'db1', database: 'sales', language: 'us_english' });

  it('decodes the header and strings, hides the password, and reports a login attempt', () => {
    const st = fresh();
    const r = feed(st, packet(0x10, msg), C);
    expect(r.pinfo.colInfo).toBe('TDS7 login');
    expect(values(r, 'tds.7login.version')).toEqual([0x74000004]);
    expect(values(r, 'tds.7login.packet_size')).toEqual([4096]);
    expect(values(r, 'tds.7login.client_pid')).toEqual([1234]);
    expect(values(r, 'tds.7login.option_flags1')).toEqual([0xe0]);
    expect(values(r, 'tds.7login.clientname')).toEqual(['client1']);
    expect(values(r, 'tds.7login.username')).toEqual(['sa']);
    expect(values(r, 'tds.7login.appname')).toEqual(['sqlcmd']);
    expect(values(r, 'tds.7login.servername')).toEqual(['db1']);
    expect(values(r, 'tds.7login.libraryname')).toEqual(['ODBC']);
    expect(values(r, 'tds.7login.locale')).toEqual(['us_english']);
    expect(values(r, 'tds.7login.databasename')).toEqual(['sales']);
    expect(values(r, 'tds.7login.password')).toEqual(['<hidden, 16 bytes>']);
    expect(JSON.stringify(r.tree.roots, (_k, v) => (v instanceof Uint8Array ? [...v] : typeof v === 'bigint' ? String(v) : v))).not.toContain('Secret1');
    expect(r.events).toEqual([{ kind: 'login', phase: 'attempt', user: 'sa', database: 'sales' }]);
    expect(st.version).toBe(0x7400);
  });

  it('de-obfuscates the password only when secrets are switched on', () => {
    setShowSecrets(true);
    const r = feed(fresh(), packet(0x10, msg), C);
    expect(values(r, 'tds.7login.password')).toEqual(['Secret1!']);
  });

  it('login failure: ERROR 18456 answers the login with a login error event', () => {
    const st = fresh();
    feed(st, packet(0x10, msg), C);
    const r = feed(st, packet(4, [...errorToken(18456, 14, "Login failed for user 'sa'."), ...done(0xfd, 0x2, 0, 0)]), S);
    expect(values(r, 'tds.error.number')).toEqual([18456]);
    expect(values(r, 'tds.error.class')).toEqual([14]);
    expect(values(r, 'tds.error.msgtext')).toEqual(["Login failed for user 'sa'."]);
    expect(values(r, 'tds.error.servername')).toEqual(['SRV']);
    expect(r.events).toEqual([{ kind: 'login', phase: 'error', errorCode: '18456', errorMessage: "Login failed for user 'sa'." }]);
  });

  it('login success: ENVCHANGE, INFO, LOGINACK, FEATUREEXTACK, DONE', () => {
    const st = fresh();
    feed(st, packet(0x10, msg), C);
    const fx = [0xae, 0x01, ...u32le(1), 0x00, 0xff];
    const resp = [...envchange(1, 'sales', 'master'), ...errorToken(5701, 0, "Changed database context to 'sales'.", 'SRV', '', 1, 0xab),
      ...loginAck(), ...envchange(4, '4096', '4096'), ...fx, ...done(0xfd, 0, 0, 0)];
    const r = feed(st, packet(4, resp), S);
    expect(r.malformed).toBe(false);
    expect(values(r, 'tds.envchange.type')).toEqual([1, 4]);
    expect(values(r, 'tds.envchange.newvalue_string')).toEqual(['sales', '4096']);
    expect(values(r, 'tds.envchange.oldvalue_string')).toEqual(['master', '4096']);
    expect(values(r, 'tds.info.number')).toEqual([5701]);
    expect(values(r, 'tds.loginack.tdsversion')).toEqual([0x74000004]);
    expect(values(r, 'tds.loginack.progname')).toEqual(['Microsoft SQL Server']);
    expect(values(r, 'tds.featureextack.featureid')).toEqual([1, 255]);
    expect(values(r, 'tds.done.donerowcount64')).toEqual([0]);
    expect(r.events).toEqual([{ kind: 'login', phase: 'ok' }]);
  });
});

/** A logged-in TDS 7.4 connection. */
function loggedIn(version = 0x74000004): TdsState {
  const st = fresh();
  feed(st, packet(0x10, login7({ user: 'u', version })), C);
  feed(st, packet(4, [...loginAck(version), ...done(0xfd, 0, 0, 0, version >= 0x72000000)]), S);
  return st;
}

describe('requests', () => {
  it('SQL batch after ALL_HEADERS (TDS 7.2+)', () => {
    const r = feed(loggedIn(), packet(1, [...allHeaders(), ...ucs2('SELECT name FROM sys.databases')]), C);
    expect(values(r, 'tds.all_headers.total_length')).toEqual([22]);
    expect(values(r, 'tds.all_headers.header.type')).toEqual([2]);
    expect(values(r, 'tds.all_headers.header.request_cnt')).toEqual([1]);
    expect(values(r, 'tds.query')).toEqual(['SELECT name FROM sys.databases']);
  });

  it('SQL batch without ALL_HEADERS (TDS 7.1)', () => {
    const r = feed(loggedIn(0x71000001), packet(1, ucs2('select 1')), C);
    expect(r.tree.has('tds.all_headers')).toBe(false);
    expect(values(r, 'tds.query')).toEqual(['select 1']);
  });

  it('RPC by well-known id (sp_executesql): SQL text as the statement, bound values as params', () => {
    const param = (name: string, type: number[], value: number[]) => [...bvarchar(name), 0, ...type, ...value];
    const nvarchar = () => [0xe7, ...u16le(8000), 0x09, 0x04, 0xd0, 0x00, 0x34];
    const body = [...allHeaders(), ...u16le(0xffff), ...u16le(10), ...u16le(0),
      ...param('', nvarchar(), [...u16le(ucs2('select @p').length), ...ucs2('select @p')]),
      ...param('', nvarchar(), [...u16le(ucs2('@p int').length), ...ucs2('@p int')]),
      ...param('@p', [0x26, 4], [4, ...u32le(42)])];
    const r = feed(loggedIn(), packet(3, body), C);
    expect(r.malformed).toBe(false);
    expect(values(r, 'tds.rpc.proc_id')).toEqual([10]);
    expect(values(r, 'tds.rpc.name')).toEqual([]);
    expect(values(r, 'tds.rpc.parameter.name')).toEqual(['@p']);
    expect(values(r, 'tds.type_info.type')).toEqual([0xe7, 0xe7, 0x26]);
    expect(values(r, 'tds.type_varbyte.data.int')).toEqual([42]);
    expect(r.pinfo.colInfo).toBe('Remote Procedure Call: sp_executesql');
    expect(r.events).toEqual([{ kind: 'request', command: 'Remote Procedure Call', statement: 'select @p', params: ['@p=42'] }]);
  });

  it('RPC by name, two calls separated by a batch flag', () => {
    const body = [...allHeaders(), ...usvarchar('dbo.p1'), ...u16le(0), 0xff, ...usvarchar('p2'), ...u16le(0),
      ...bvarchar('@x'), 1, 0x26, 2, 2, ...u16le(7)];
    const r = feed(loggedIn(), packet(3, body), C);
    expect(values(r, 'tds.rpc.name')).toEqual(['dbo.p1', 'p2']);
    expect(values(r, 'tds.rpc.separator')).toEqual([0xff]);
    expect(values(r, 'tds.rpc.parameter.status.by_ref')).toEqual([true]);
    expect(r.events[0]).toMatchObject({ statement: 'dbo.p1; p2', params: ['@x=7'] });
  });

  it('transaction manager request', () => {
    const r = feed(loggedIn(), packet(14, [...allHeaders(), ...u16le(5), 0]), C);
    expect(values(r, 'tds.transmgr')).toEqual([5]);
    expect(r.events).toEqual([{ kind: 'request', command: 'Transaction Manager Request', statement: 'TM_BEGIN_XACT' }]);
  });
});

describe('tabular responses', () => {
  const colmeta = [0x81, ...u16le(3),
    ...u32le(0), ...u16le(0x0001), 0x26, 4, ...bvarchar('id'),
    ...u32le(0), ...u16le(0x0001), 0xe7, ...u16le(100), 0x09, 0x04, 0xd0, 0x00, 0x34, ...bvarchar('name'),
    ...u32le(0), ...u16le(0x0001), 0x68, 1, ...bvarchar('ok')];

  it('COLMETADATA, ROW and NBCROW values, DONE row count → response with rows, final', () => {
    const row = [0xd1, 4, ...u32le(7), ...u16le(6), ...ucs2('abc'), 1, 1];
    const nbc = [0xd2, 0b110, 4, ...u32le(8)]; // name and ok are NULL
    const r = feed(loggedIn(), packet(4, [...colmeta, ...row, ...nbc, ...done(0xfd, 0x10, 0xc1, 2)]), S);
    expect(r.malformed).toBe(false);
    expect(values(r, 'tds.colmetadata.columns')).toEqual([3]);
    expect(values(r, 'tds.colmetadata.colname')).toEqual(['id', 'name', 'ok']);
    expect(values(r, 'tds.type_varbyte.data.int')).toEqual([7, 8]);
    expect(values(r, 'tds.type_varbyte.data.string')).toEqual(['abc']);
    expect(values(r, 'tds.type_varbyte.data.bool')).toEqual([true]);
    expect(values(r, 'tds.type_varbyte.column.name')).toEqual(['id', 'name', 'ok', 'id']);
    expect(values(r, 'tds.done.status')).toEqual([0x10]);
    expect(values(r, 'tds.done.curcmd')).toEqual([0xc1]);
    expect(values(r, 'tds.done.donerowcount64')).toEqual([2]);
    expect(r.events).toEqual([{ kind: 'response', status: 'ok', rows: 2, final: true }]);
  });

  it('DONE with MORE is not final; DONEPROC/RETURNSTATUS/RETURNVALUE keep the stream going', () => {
    const st = loggedIn();
    const more = feed(st, packet(4, done(0xfd, 0x11, 0xc1, 5)), S);
    expect(more.events).toEqual([{ kind: 'response', status: 'ok', rows: 5, final: false }]);
    const retval = [0xac, ...u16le(1), ...bvarchar('@out'), 1, ...u32le(0), ...u16le(0), 0x26, 4, 4, ...u32le(99)];
    const r = feed(st, packet(4, [...done(0xff, 0x10, 0xc1, 1), 0x79, ...u32le(0), ...retval, ...done(0xfe, 0, 0xe0, 0)]), S);
    expect(values(r, 'tds.returnstatus.value')).toEqual([0]);
    expect(values(r, 'tds.doneinproc.donerowcount64')).toEqual([1]);
    expect(values(r, 'tds.doneproc.donerowcount64')).toEqual([0]);
    expect(values(r, 'tds.type_varbyte.data.int')).toEqual([99]);
    expect(r.tree.has('tds.unknown_tds_token')).toBe(false);
    expect(r.events).toEqual([{ kind: 'response', status: 'ok', rows: 1, final: true }]);
  });

  it('ERROR → response with status error, code and message', () => {
    const r = feed(loggedIn(), packet(4, [...errorToken(208, 16, "Invalid object name 'nope'.", 'SRV', '', 1), ...done(0xfd, 0x2, 0xc1, 0)]), S);
    expect(values(r, 'tds.error.number')).toEqual([208]);
    expect(values(r, 'tds.error.linenumber')).toEqual([1]);
    expect(values(r, 'tds.done.status.error')).toEqual([true]);
    expect(r.events).toEqual([{ kind: 'response', status: 'error', errorCode: '208', errorMessage: "Invalid object name 'nope'.", final: true }]);
  });

  it('TDS 7.1 uses 32-bit row counts, 16-bit user types and line numbers', () => {
    const st = loggedIn(0x71000001);
    const meta = [0x81, ...u16le(1), ...u16le(0), ...u16le(0x0008), 0x38, ...bvarchar('n')];
    const r = feed(st, packet(4, [...meta, 0xd1, ...u32le(-5 >>> 0), ...done(0xfd, 0x10, 0xc1, 1, false)]), S);
    expect(r.malformed).toBe(false);
    expect(values(r, 'tds.type_varbyte.data.int')).toEqual([-5]);
    expect(values(r, 'tds.done.donerowcount')).toEqual([1]);
  });

  it('a DONE of 32-bit width with the version unknown still decodes (Wireshark marks it malformed)', () => {
    const r = feed(fresh(), packet(4, done(0xfd, 0, 0xd5, 0, false)), S);
    expect(r.malformed).toBe(false);
    expect(values(r, 'tds.done.donerowcount')).toEqual([0]);
  });

  it('an unknown token stops the message with an item, not an exception', () => {
    const r = feed(loggedIn(), packet(4, [...done(0xff, 0x1, 0xc1, 0), 0x42, 1, 2, 3]), S);
    expect(r.malformed).toBe(false);
    expect(r.tree.has('tds.unknown_tds_token')).toBe(true);
    expect(r.events).toEqual([{ kind: 'response', status: 'ok', final: true }]);
  });

  it('a truncated token is malformed, and the response still ends the transaction', () => {
    const r = feed(loggedIn(), packet(4, [...errorToken(1205, 13, 'deadlock')].slice(0, 20)), S);
    expect(r.malformed).toBe(true);
    expect(r.events).toEqual([{ kind: 'response', status: 'ok', final: true }]);
  });
});

describe('TDS 4.2 / 5.0', () => {
  function login45(): number[] {
    const name = (s: string, size = 30) => { const b = ascii(s); return [...b, ...new Array(size - b.length).fill(0), b.length]; };
    return [...name('host'), ...name('sybuser'), ...name('pw'), ...name('123'), 3, 1, 6, 10, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      ...name('isql'), ...name('SYB'), ...new Array(256).fill(0), ...u32be(0x05000000), ...name('ct', 10), ...u32be(0x0f000000), 0, 0, 0,
      ...name('us_english'), 0, 0, 0, 0, 0, 0, ...new Array(6).fill(0), 0, 0, ...name('iso_1'), 0, ...name('512', 6), 0, 0, 0, 0];
  }

  it('login record: fields, hidden password, byte order, login attempt', () => {
    const st = fresh();
    const p = packet(2, login45());
    expect(tdsDissector.probe!(p, C)).toBe(true);
    const r = feed(st, p, C);
    expect(values(r, 'tds.login.username')).toEqual(['sybuser']);
    expect(values(r, 'tds.login.password')).toEqual(['<hidden, 2 bytes>']);
    expect(values(r, 'tds.login.appname')).toEqual(['isql']);
    expect(values(r, 'tds.login.protoversion')).toEqual([0x05000000]);
    expect(values(r, 'tds.login.charset')).toEqual(['iso_1']);
    expect(r.events).toEqual([{ kind: 'login', phase: 'attempt', user: 'sybuser' }]);
    // Language request and a Sybase response (ENVCHANGE in single-byte characters, EED, LOGINACK, DONE 32-bit).
    const lang = feed(st, packet(15, [0x21, ...u32le(10), 0, ...ascii('use pubs2')]), C);
    expect(values(lang, 'tds.lang.language_text')).toEqual(['use pubs2']);
    expect(lang.events).toEqual([{ kind: 'request', command: 'Language', statement: 'use pubs2' }]);
  });

  it('Sybase token stream: ENVCHANGE with single-byte strings, LOGINACK, DONE with a 32-bit count', () => {
    const st = fresh();
    feed(st, packet(2, login45()), C);
    const env = [0xe3, ...u16le(14), 1, 5, ...ascii('pubs2'), 6, ...ascii('master')];
    const ack = [0xad, ...u16le(20), 5, ...u32be(0x05000000), 10, ...ascii('sql server'), ...u32be(0x0f000000)];
    const r = feed(st, packet(4, [...env, ...ack, 0xfd, 0, 0, 2, 0, ...u32le(0)]), S);
    expect(r.malformed).toBe(false);
    expect(values(r, 'tds.envchange.newvalue_string')).toEqual(['pubs2']);
    expect(values(r, 'tds.loginack.progname')).toEqual(['sql server']);
    expect(values(r, 'tds.done.donerowcount')).toEqual([0]);
    expect(r.events).toEqual([{ kind: 'login', phase: 'ok' }]);
  });
});

describe('TDS 5 login seen only in part', () => {
  it('the first login packet fixes Sybase decoding and announces the login (Wireshark leaves those answers undecoded)', () => {
    const st = fresh();
    const name = (x: string, size = 30) => { const b = ascii(x); return [...b, ...new Array(size - b.length).fill(0), b.length]; };
    const head = [...name('h'), ...name('bob'), ...name('pw'), ...name('1'), 3, 1, 6, 10, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      ...name('app'), ...name('srv'), ...new Array(256).fill(0), ...u32be(0x05010000), ...new Array(50).fill(0)];
    const r1 = feed(st, packet(2, head, { status: 0, packet: 1 }), C);
    expect(r1.events).toEqual([{ kind: 'login', phase: 'attempt', user: 'bob' }]);
    const env = [0xe3, ...u16le(14), 1, 5, ...ascii('pubs2'), 6, ...ascii('master')];
    const r2 = feed(st, packet(4, [...env, 0xfd, 0, 0, 2, 0, ...u32le(407)]), S);
    expect(r2.malformed).toBe(false);
    expect(values(r2, 'tds.envchange.newvalue_string')).toEqual(['pubs2']);
    expect(values(r2, 'tds.done.donerowcount')).toEqual([407]);
  });
});

describe('probe and resync', () => {
  it('accepts PRELOGIN with a good option list and LOGIN7; rejects other protocols and loose headers', () => {
    expect(tdsDissector.probe!(packet(0x12, prelogin([[0, [0, 0, 0, 0, 0, 0]], [1, [2]]])), C)).toBe(true);
    expect(tdsDissector.probe!(packet(0x10, login7({ user: 'x' })), C)).toBe(true);
    expect(tdsDissector.probe!(packet(0x12, [0x42, 0, 5, 0, 1, 0xff]), C)).toBe(false);
    expect(tdsDissector.probe!(packet(1, ucs2('select 1')), C)).toBe(false); // a bare SQL batch header is too weak
    expect(tdsDissector.probe!(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), C)).toBe(false);
    expect(tdsDissector.probe!(Uint8Array.from([0x4a, 0, 0, 0, 0x0a, ...ascii('5.7.1'), 0]), S)).toBe(false); // MySQL greeting
    expect(tdsDissector.probe!(Uint8Array.from([0, 0, 0, 8, 4, 0xd2, 0x16, 0x2f]), C)).toBe(false); // PostgreSQL SSLRequest
  });

  it('resync finds the next plausible header; gap drops partial messages of that direction', () => {
    const st = fresh();
    const junk = Uint8Array.from([9, 9, 9, ...packet(1, ucs2('select 1'))]);
    expect(tdsDissector.resync!(junk, st, C)).toBe(3);
    expect(tdsDissector.resync!(Uint8Array.from([9, 9, 9, 9]), st, C)).toBe(-1);
    feed(st, packet(1, ucs2('sel'), { status: 0, packet: 1 }), C);
    expect(st.fragments.size).toBe(1);
    tdsDissector.gap!(st, C);
    expect(st.fragments.size).toBe(0);
  });
});

describe('robustness', () => {
  it('random mutations of valid messages never throw anything but BoundsError and stay bounded', () => {
    const samples = [
      packet(0x12, prelogin([[0, [...u32be(0x0f000000), 0, 0]], [1, [0]], [2, [0]]])),
      packet(0x10, login7({ user: 'sa', password: 'pw', database: 'db' })),
      packet(1, [...allHeaders(), ...ucs2('select 1')]),
      packet(3, [...allHeaders(), ...u16le(0xffff), ...u16le(10), ...u16le(0), 0, 0, 0x26, 4, 4, ...u32le(1)]),
      packet(4, [0x81, ...u16le(2), ...u32le(0), ...u16le(1), 0x26, 4, ...bvarchar('a'), ...u32le(0), ...u16le(1), 0xa7, ...u16le(0xffff), 0x09, 0x04, 0xd0, 0, 0x34, ...bvarchar('b'),
        0xd1, 4, ...u32le(1), ...u32le(3), ...u32le(0), 3, 0, 0, 0, 0x61, 0x62, 0x63, ...u32le(0), ...done(0xfd, 0x10, 0xc1, 1)]),
      packet(4, [...envchange(1, 'a', 'b'), ...errorToken(1, 16, 'x'), ...loginAck(), ...done(0xfd, 0, 0, 0)]),
    ];
    let seed = 12345;
    const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
    for (let i = 0; i < 3000; i++) {
      const base = samples[i % samples.length]!;
      const m = Uint8Array.from(base);
      const flips = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < flips; k++) m[8 + Math.floor(rand() * (m.length - 8))] = Math.floor(rand() * 256);
      const st = i % 2 ? fresh() : loggedIn();
      // feed() rethrows anything that is not a BoundsError.
      expect(() => feed(st, m, i % 3 === 0)).not.toThrow();
    }
  });
});
