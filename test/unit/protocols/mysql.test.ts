import { deflateSync } from 'node:zlib';
import { describe, expect, it, afterEach } from 'vitest';
import { mysqlDissector, setShowSecrets } from '../../../electron/engine/decode/protocols/mysql';
import { NEED_MORE } from '../../../electron/engine/decode/app';
import {
  Conn, CAPS_41, EXT_PLUGIN, bytes, columnDef, eof, err, greeting, login, lstr, ok, pkt, strz, u16, u24, u32, values,
} from './mysql-helpers';

const DEPRECATE_EOF = 0x0100;
const QUERY_ATTRS = 0x0800;

describe('mysql framing', () => {
  it('reads the 3-byte length and asks for more when the header is incomplete', () => {
    const st = mysqlDissector.newState();
    expect(mysqlDissector.pduLength(bytes(5, 0), st, true)).toBe(NEED_MORE);
    expect(mysqlDissector.pduLength(bytes(u24(300), 0, 1), st, false)).toBe(304);
    expect(mysqlDissector.pduLength(bytes(u24(0), 3), st, false)).toBe(4);
  });

  it('probes strictly: greeting and login yes, HTTP / PostgreSQL / noise no', () => {
    expect(mysqlDissector.probe!(greeting(), true)).toBe(true);
    expect(mysqlDissector.probe!(login(), false)).toBe(true);
    expect(mysqlDissector.probe!(err(0, 1130, 'HY000', "Host 'x' is not allowed to connect"), true)).toBe(true);
    expect(mysqlDissector.probe!(bytes('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n'), true)).toBe(false);
    expect(mysqlDissector.probe!(bytes('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), false)).toBe(false);
    expect(mysqlDissector.probe!(bytes(u32(0x08000000).reverse(), u32(0x00000300).reverse(), 'user', 0, 'bob', 0, 0), false)).toBe(false);
    expect(mysqlDissector.probe!(greeting(), false)).toBe(false);
    expect(mysqlDissector.probe!(bytes(0x4a, 0, 0, 0, 9, '8.0', 0), true)).toBe(false); // protocol 9
  });

  it('resyncs on a chain of whole packets after lost bytes', () => {
    const st = mysqlDissector.newState();
    const data = bytes(0x41, 0x42, 0x43, pkt(1, 3, 'select 1'), pkt(2, 0, 0, 0, 2, 0, 0, 0));
    expect(mysqlDissector.resync!(data, st, false)).toBe(3);
    expect(mysqlDissector.resync!(bytes(0xff, 0xff, 0xff), st, false)).toBe(-1);
  });
});

describe('mysql handshake', () => {
  afterEach(() => setShowSecrets(false));

  it('decodes the server greeting like Wireshark', () => {
    const c = new Conn();
    const s = c.server(greeting({ version: '8.0.32' }));
    expect(values(s, 'mysql.protocol')).toEqual([10]);
    expect(values(s, 'mysql.version')).toEqual(['8.0.32']);
    expect(values(s, 'mysql.thread_id')).toEqual([42]);
    expect(values(s, 'mysql.salt')).toEqual(['abcdefgh']);
    expect(values(s, 'mysql.caps.server')).toEqual([CAPS_41 | 0x0800 | 0x0020]);
    expect(values(s, 'mysql.caps.sl')).toEqual([true]);
    expect(values(s, 'mysql.extcaps.server')).toEqual([0x81ff]);
    expect(values(s, 'mysql.auth_plugin')).toEqual(['caching_sha2_password']);
    expect(values(s, 'mysql.packet_number')).toEqual([0]);
    expect(s.pinfo.colInfo).toBe('Server Greeting  proto=10 version=8.0.32 ');
  });

  it('shows a MariaDB version without its replication prefix in Info, and keeps it in the field', () => {
    const s = new Conn().server(greeting({ version: '5.5.5-10.11.6-MariaDB' }));
    expect(s.pinfo.colInfo).toBe('Server Greeting  proto=10 version=10.11.6-MariaDB ');
    expect(values(s, 'mysql.version')).toEqual(['5.5.5-10.11.6-MariaDB']);
  });

  it('decodes a login request, hides the password, and reports the attempt', () => {
    const c = new Conn();
    c.server(greeting());
    const s = c.client(login({ user: 'alice', db: 'shop', ext: EXT_PLUGIN, attrs: [['_os', 'Linux'], ['_pid', '7']] }));
    expect(values(s, 'mysql.user')).toEqual(['alice']);
    expect(values(s, 'mysql.schema')).toEqual(['shop']);
    expect(values(s, 'mysql.client_auth_plugin')).toEqual(['mysql_native_password']);
    expect(values(s, 'mysql.connattrs.name')).toEqual(['_os', '_pid']);
    expect(values(s, 'mysql.connattrs.value')).toEqual(['Linux', '7']);
    expect(values(s, 'mysql.max_packet')).toEqual([16777216]);
    expect(values(s, 'mysql.charset')).toEqual([33]);
    const pw = s.tree.first('mysql.passwd')!;
    expect(pw.length).toBe(20);
    expect(pw.value).toEqual(new Uint8Array(0));
    expect(pw.text).toBe('Password: <hidden, 20 bytes>');
    expect(s.pinfo.colInfo).toBe('Login Request user=alice db=shop ');
    expect(s.events).toEqual([{ kind: 'login', phase: 'attempt', user: 'alice', database: 'shop' }]);
  });

  it('shows credentials only when asked to', () => {
    setShowSecrets(true);
    const c = new Conn();
    c.server(greeting());
    const s = c.client(login());
    expect(s.tree.first('mysql.passwd')!.value).toEqual(new Uint8Array(20).fill(0xab));
  });

  it('reports login OK and login errors (1045)', () => {
    const c = new Conn();
    c.server(greeting());
    c.client(login({ ext: 0 }));
    const s = c.server(err(2, 1045, '28000', "Access denied for user 'alice'@'localhost' (using password: YES)"));
    expect(values(s, 'mysql.error_code')).toEqual([1045]);
    expect(values(s, 'mysql.sqlstate')).toEqual(['28000']);
    expect(values(s, 'mysql.response_code')).toEqual([0xff]);
    expect(s.pinfo.colInfo).toBe('Response  Error 1045 ');
    expect(s.events).toEqual([{ kind: 'login', phase: 'error', errorCode: '1045', errorMessage: "Access denied for user 'alice'@'localhost' (using password: YES)" }]);

    const c2 = new Conn();
    c2.server(greeting());
    c2.client(login({ ext: 0 }));
    const s2 = c2.server(ok(2));
    expect(s2.events).toEqual([{ kind: 'login', phase: 'ok' }]);
    expect(s2.pinfo.colInfo).toBe('Response  OK ');
  });

  it('decodes a greeting replaced by an error (host not allowed) without a response code', () => {
    const s = new Conn().server(pkt(0, 0xff, u16(1130), "Host 'x' is not allowed to connect to this MySQL server"));
    expect(values(s, 'mysql.error_code')).toEqual([1130]);
    expect(values(s, 'mysql.response_code')).toEqual([]);
    expect(s.pinfo.colInfo).toBe('Server Greeting  Error 1130 ');
    expect(s.events[0]).toMatchObject({ kind: 'login', phase: 'error', errorCode: '1130' });
  });

  it('stops decoding MySQL after an SSL request: TLS records are framed and labelled TLS', () => {
    const c = new Conn();
    c.server(greeting());
    const ssl = c.client(pkt(1, u16(CAPS_41 | 0x0800), u16(0), u32(16777216), 33, new Uint8Array(23)));
    expect(ssl.pinfo.colInfo).toBe('Response: SSL Handshake user= ');
    expect(ssl.events).toEqual([{ kind: 'tls', phase: 'requested' }]);
    const hello = bytes(0x16, 3, 1, u16(4).reverse(), 1, 0, 0, 0);
    expect(mysqlDissector.pduLength(hello, c.state, false)).toBe(9);
    const s = c.client(hello);
    expect(s.pinfo.colProtocol).toBe('TLS');
    expect(s.events).toEqual([{ kind: 'tls', phase: 'started' }]);
    expect(values(s, 'mysql.command')).toEqual([]);
    // Application data that happens to look like a COM_QUERY is still TLS.
    const app = bytes(0x17, 3, 3, 0, 5, 3, 0, 0, 0, 3);
    const s2 = c.client(app);
    expect(values(s2, 'mysql.query')).toEqual([]);
  });

  it('follows an auth switch and the caching_sha2_password full authentication with an RSA key', () => {
    const c = new Conn();
    c.server(greeting());
    c.client(login({ ext: EXT_PLUGIN, plugin: 'mysql_native_password' }));
    const sw = c.server(pkt(2, 0xfe, strz('caching_sha2_password'), 'abcdefghijklmnopqrst', 0));
    expect(values(sw, 'mysql.auth_switch_request.name')).toEqual(['caching_sha2_password']);
    expect(values(sw, 'mysql.response_code')).toEqual([0xfe]);
    expect(sw.pinfo.colInfo).toBe('Auth Switch Request ');
    const resp = c.client(pkt(3, new Uint8Array(32).fill(7)));
    expect(resp.tree.first('mysql.auth_switch_response.data')!.text).toBe('Auth Method Data: <hidden, 32 bytes>');
    const full = c.server(pkt(4, 1, 4));
    expect(values(full, 'mysql.hf_mysql_sha2_auth.name')).toEqual(['perform_full_authentication']);
    const req = c.client(pkt(5, 2));
    expect(values(req, 'mysql.hf_mysql_sha2_auth.name')).toEqual(['request_public_key']);
    const key = c.server(pkt(6, 1, '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n'));
    expect(String(values(key, 'mysql.hf_mysql_pubkey')[0])).toContain('BEGIN PUBLIC KEY');
    // The RSA-encrypted password: tshark 4.0 shows it as "Request Unknown (n)"; it is no command.
    const enc = c.client(pkt(7, new Uint8Array(256).fill(0xca)));
    expect(values(enc, 'mysql.command')).toEqual([]);
    expect(enc.tree.first('mysql.hf_mysql_sha2_response')!.text).toBe('SHA2 Auth Response: <hidden, 256 bytes>');
    const done = c.server(ok(8));
    expect(done.events).toEqual([{ kind: 'login', phase: 'ok' }]);
    const q = c.client(pkt(0, 3, 'select 1'));
    expect(values(q, 'mysql.query')).toEqual(['select 1']);
  });

  it('reads caching_sha2_password fast auth success before the OK', () => {
    const c = new Conn();
    c.server(greeting());
    c.client(login({ ext: EXT_PLUGIN, plugin: 'caching_sha2_password' }));
    const fast = c.server(pkt(2, 1, 3));
    expect(values(fast, 'mysql.hf_mysql_sha2_auth.name')).toEqual(['fast_auth_success']);
    expect(fast.events).toEqual([]);
    expect(c.server(ok(3)).events).toEqual([{ kind: 'login', phase: 'ok' }]);
  });
});

describe('mysql commands and responses', () => {
  it('decodes a text result set with EOF packets, counting rows on the final EOF', () => {
    const c = Conn.loggedIn();
    const q = c.client(pkt(0, 3, 'select id, name from t'));
    expect(values(q, 'mysql.command')).toEqual([3]);
    expect(values(q, 'mysql.query')).toEqual(['select id, name from t']);
    expect(q.pinfo.colInfo).toBe('Request Query');
    expect(q.events).toEqual([{ kind: 'request', command: 'COM_QUERY', statement: 'select id, name from t' }]);
    const r = c.server(pkt(1, 2), columnDef(2, 'id', 3), columnDef(3, 'name'), eof(4),
      pkt(5, lstr('1'), lstr('ann')), pkt(6, lstr('2'), 0xfb), eof(7));
    expect(values(r, 'mysql.num_fields')).toEqual([2]);
    expect(values(r, 'mysql.field.name')).toEqual(['id', 'name']);
    expect(values(r, 'mysql.field.type')).toEqual([3, 0xfd]);
    expect(values(r, 'mysql.row.text')).toEqual(['1', 'ann', '2', 'NULL']);
    expect(values(r, 'mysql.response_code')).toEqual([0xfe, 0xfe]);
    expect(r.pinfo.colInfo).toBe('Response TABULAR Response ');
    expect(r.events).toEqual([
      { kind: 'response', status: 'ok', final: false },
      { kind: 'response', status: 'ok', rows: 2, final: true },
    ]);
  });

  it('ends a result set on the OK (0xfe) when CLIENT_DEPRECATE_EOF is negotiated', () => {
    const c = Conn.loggedIn({ ext: DEPRECATE_EOF });
    c.client(pkt(0, 3, 'select 1'));
    const r = c.server(pkt(1, 1), columnDef(2, '1', 8), pkt(3, lstr('1')), pkt(4, 0xfe, 0, 0, u16(0x0002), u16(0)));
    expect(values(r, 'mysql.row.text')).toEqual(['1']);
    expect(values(r, 'mysql.affected_rows')).toEqual([0]);
    expect(r.pinfo.colInfo).toBe('Response TABULAR Response  OK ');
    expect(r.events.at(-1)).toEqual({ kind: 'response', status: 'ok', rows: 1, final: true });
  });

  it('decodes OK with affected rows and insert id, and ERR with SQL state', () => {
    const c = Conn.loggedIn();
    c.client(pkt(0, 3, 'insert into t values (1)'));
    const o = c.server(ok(1, 1, 7));
    expect(values(o, 'mysql.affected_rows')).toEqual([1]);
    expect(values(o, 'mysql.insert_id')).toEqual([7]);
    expect(o.events).toEqual([{ kind: 'response', status: 'ok', rows: 1, final: true }]);
    c.client(pkt(0, 3, 'selec 1'));
    const e = c.server(err(1, 1064, '42000', 'You have an error in your SQL syntax'));
    expect(values(e, 'mysql.error.message')).toEqual(['You have an error in your SQL syntax']);
    expect(e.events).toEqual([{ kind: 'response', status: 'error', errorCode: '1064', errorMessage: 'You have an error in your SQL syntax', final: true }]);
  });

  it('marks a response with more results to come as not final', () => {
    const c = Conn.loggedIn();
    c.client(pkt(0, 3, 'call p()'));
    expect(c.server(ok(1, 0, 0, 0x000a)).events).toEqual([{ kind: 'response', status: 'ok', rows: 0, final: false }]);
    expect(c.server(ok(2)).events).toEqual([{ kind: 'response', status: 'ok', rows: 0, final: true }]);
  });

  it('decodes COM_INIT_DB, COM_PING, COM_FIELD_LIST, COM_STATISTICS and flags commands without a response', () => {
    const c = Conn.loggedIn();
    const use = c.client(pkt(0, 2, 'shop'));
    expect(values(use, 'mysql.schema')).toEqual(['shop']);
    expect(use.pinfo.colInfo).toBe('Request Use Database');
    c.server(ok(1));
    expect(c.client(pkt(0, 14)).pinfo.colInfo).toBe('Request Ping');
    c.server(ok(1));
    const fl = c.client(pkt(0, 4, strz('t')));
    expect(values(fl, 'mysql.table_name')).toEqual(['t']);
    const defs = c.server(columnDef(1, 'id'), columnDef(2, 'name'), eof(3));
    expect(values(defs, 'mysql.field.name')).toEqual(['id', 'name']);
    expect(values(defs, 'mysql.num_fields')).toEqual([]);
    expect(defs.events.at(-1)).toMatchObject({ kind: 'response', final: true });
    c.client(pkt(0, 9));
    const stat = c.server(pkt(1, 'Uptime: 10  Threads: 1'));
    expect(values(stat, 'mysql.message')).toEqual(['Uptime: 10  Threads: 1']);
    expect(c.client(pkt(0, 25, u32(3))).events[0]).toMatchObject({ command: 'COM_STMT_CLOSE', expectsResponse: false });
    expect(c.client(pkt(0, 1)).events[0]).toEqual({ kind: 'request', command: 'COM_QUIT', statement: '', expectsResponse: false });
  });

  it('flags unknown commands', () => {
    const c = Conn.loggedIn();
    const s = c.client(pkt(0, 0x7d, 1, 2, 3));
    expect(values(s, 'mysql.command')).toEqual([0x7d]);
    expect(s.pinfo.colInfo).toBe('Request Unknown (125) ');
    expect(s.tree.has('mysql.command.invalid')).toBe(true);
  });

  it('reports COM_CHANGE_USER as a request and a login', () => {
    const c = Conn.loggedIn();
    const s = c.client(pkt(0, 17, strz('bob'), 20, new Uint8Array(20), strz('shop'), u16(33)));
    expect(values(s, 'mysql.user')).toEqual(['bob']);
    expect(s.events).toEqual([
      { kind: 'request', command: 'COM_CHANGE_USER', statement: 'bob' },
      { kind: 'login', phase: 'attempt', user: 'bob', database: 'shop' },
    ]);
    const e = c.server(err(1, 1045, '28000', 'Access denied'));
    expect(e.events).toEqual([
      { kind: 'login', phase: 'error', errorCode: '1045', errorMessage: 'Access denied' },
      { kind: 'response', status: 'error', errorCode: '1045', errorMessage: 'Access denied', final: true },
    ]);
  });
});

describe('mysql prepared statements', () => {
  function prepared(): Conn {
    const c = Conn.loggedIn();
    const p = c.client(pkt(0, 22, 'select name from t where id = ? and tag = ?'));
    expect(p.events[0]).toMatchObject({ command: 'COM_STMT_PREPARE', statement: 'select name from t where id = ? and tag = ?' });
    const r = c.server(pkt(1, 0, u32(5), u16(1), u16(2), 0, u16(0)), columnDef(2, '?', 0xfd), columnDef(3, '?', 0xfd), eof(4),
      columnDef(5, 'name'), eof(6));
    expect(values(r, 'mysql.stmt_id')).toEqual([5]);
    expect(values(r, 'mysql.num_params')).toEqual([2]);
    expect(values(r, 'mysql.num_fields')).toEqual([1]);
    expect(values(r, 'mysql.field.name')).toEqual(['?', '?', 'name']);
    expect(r.events).toEqual([{ kind: 'response', status: 'ok', final: false }, { kind: 'response', status: 'ok', final: true }]);
    return c;
  }

  it('binds parameter values to the prepared text and decodes the binary rows', () => {
    const c = prepared();
    const ex = c.client(pkt(0, 23, u32(5), 0, u32(1), 0, 1, 3, 0, 0xfd, 0, u32(42), lstr('red')));
    expect(values(ex, 'mysql.stmt_id')).toEqual([5]);
    expect(values(ex, 'mysql.exec_flags')).toEqual([0]);
    expect(values(ex, 'mysql.exec.field.long')).toEqual([42]);
    expect(values(ex, 'mysql.exec.field.string')).toEqual(['red']);
    expect(ex.pinfo.colInfo).toBe('Request Execute Statement');
    expect(ex.events).toEqual([{ kind: 'request', command: 'COM_STMT_EXECUTE', statement: 'select name from t where id = ? and tag = ?', params: ['42', 'red'] }]);
    const rows = c.server(pkt(1, 1), columnDef(2, 'name'), eof(3), pkt(4, 0, 0, lstr('ann')), pkt(5, 0, 4), eof(6));
    expect(values(rows, 'mysql.exec.field.string')).toEqual(['ann']);
    expect(values(rows, 'mysql.exec.field.null')).toEqual([null]);
    expect(rows.events.at(-1)).toEqual({ kind: 'response', status: 'ok', rows: 2, final: true });
    // Re-execution without rebinding reuses the types; NULL comes from the bitmap.
    const again = c.client(pkt(0, 23, u32(5), 0, u32(1), 2, 0, u32(7)));
    expect(again.events[0]).toMatchObject({ params: ['7', 'NULL'] });
  });

  it('shows the parameters as payload when the PREPARE response was not seen', () => {
    const c = Conn.loggedIn();
    const ex = c.client(pkt(0, 23, u32(9), 0, u32(1), 0, 1, 3, 0, u32(42)));
    expect(ex.tree.has('mysql.prepare_response_needed')).toBe(true);
    expect(ex.events[0]).toMatchObject({ command: 'COM_STMT_EXECUTE', statement: '' });
  });
});

describe('mysql query attributes (MySQL 8.0.23+)', () => {
  it('skips the typed attributes and reads the statement (tshark 4.0 marks this packet malformed)', () => {
    const c = Conn.loggedIn({ ext: QUERY_ATTRS, srvExt: 0x81ff | QUERY_ATTRS });
    const s = c.client(pkt(0, 3, 2, 1, 0, 1, 0x01, 0x80, lstr('n'), 0xfe, 0, lstr('s'), 42, lstr('a string'), 'SELECT version()'));
    expect(values(s, 'mysql.query_attrs_count')).toEqual([2]);
    expect(values(s, 'mysql.query_attr_name')).toEqual(['n', 's']);
    expect(values(s, 'mysql.query_attr_value')).toEqual(['42', 'a string']);
    expect(values(s, 'mysql.query')).toEqual(['SELECT version()']);
    const none = c.client(pkt(0, 3, 0, 1, 'select 2'));
    expect(values(none, 'mysql.query')).toEqual(['select 2']);
  });

  it('finds the statement after an empty attribute block when the login was not captured', () => {
    const c = new Conn();
    expect(values(c.client(pkt(0, 3, 0, 1, 'select now()')), 'mysql.query')).toEqual(['select now()']);
  });
});

describe('mysql compressed protocol', () => {
  function compressed(seq: number, inner: Uint8Array, raw = false): Uint8Array {
    if (raw) return bytes(u24(inner.length), seq, u24(0), inner);
    const z = deflateSync(inner);
    return bytes(u24(z.length), seq, u24(inner.length), z);
  }

  it('inflates packets after the login OK and decodes the inner packets (tshark 4.0 does not inflate)', () => {
    const c = Conn.loggedIn({ caps: CAPS_41 | 0x0020 });
    expect(c.state.compression).toBe('active');
    const q = c.client(compressed(0, pkt(0, 3, 'SELECT * FROM peeps')));
    expect(values(q, 'mysql.compressed_packet_length_uncompressed')).toEqual([24]);
    expect(values(q, 'mysql.query')).toEqual(['SELECT * FROM peeps']);
    expect(q.events[0]).toMatchObject({ command: 'COM_QUERY', statement: 'SELECT * FROM peeps' });
    const r = c.server(compressed(1, bytes(pkt(1, 1), columnDef(2, 'id', 3), eof(3), pkt(4, lstr('1')), eof(5))));
    expect(values(r, 'mysql.field.name')).toEqual(['id']);
    expect(values(r, 'mysql.row.text')).toEqual(['1']);
    expect(r.events.at(-1)).toEqual({ kind: 'response', status: 'ok', rows: 1, final: true });
  });

  it('joins an inner packet split over two compressed packets, and reads raw (length 0) payloads', () => {
    const c = Conn.loggedIn({ caps: CAPS_41 | 0x0020 });
    const inner = pkt(0, 3, 'select ' + 'x'.repeat(100));
    const first = c.client(compressed(0, inner.subarray(0, 50)));
    expect(values(first, 'mysql.query')).toEqual([]);
    const second = c.client(compressed(1, inner.subarray(50), true));
    expect(values(second, 'mysql.query')).toEqual(['select ' + 'x'.repeat(100)]);
  });

  it('reports a payload that does not inflate', () => {
    const c = Conn.loggedIn({ caps: CAPS_41 | 0x0020 });
    const s = c.client(bytes(u24(4), 0, u24(100), 1, 2, 3, 4));
    expect(s.tree.has('mysql.uncompress_failure')).toBe(true);
  });
});

describe('mysql Info column across several messages in a frame', () => {
  it('keeps the fenced parts as Wireshark does', () => {
    const c = Conn.loggedIn({ ext: DEPRECATE_EOF });
    c.client(pkt(0, 3, 'select 1'));
    const s = c.server(pkt(1, 1), columnDef(2, '1'));
    expect(s.pinfo.colInfo).toBe('Response TABULAR Response ');
  });
});

describe('mysql captures that start mid-connection', () => {
  it('recognises a login request whose greeting was not captured (tshark 4.0: "Unknown (n)" command)', () => {
    const c = new Conn();
    const s = c.client(login({ user: 'root', db: 'sakila', ext: EXT_PLUGIN }));
    expect(values(s, 'mysql.command')).toEqual([]);
    expect(values(s, 'mysql.user')).toEqual(['root']);
    expect(s.events).toEqual([{ kind: 'login', phase: 'attempt', user: 'root', database: 'sakila' }]);
  });
});
