/**
 * Per-connection MySQL state. The protocol is a strict request/response state machine, so a
 * message is decoded according to what came before it (as Wireshark's conversation data does).
 * Plain data only (no class instances), so the driver can snapshot it with structuredClone.
 */

/** What the next message is expected to be (Wireshark's mysql_state_t). */
export type Phase =
  | 'undefined' | 'login' | 'request' | 'response_ok' | 'response_message' | 'response_tabular'
  | 'response_show_fields' | 'field_packet' | 'row_packet' | 'response_prepare'
  | 'prepared_parameters' | 'prepared_fields' | 'auth_switch_request' | 'auth_switch_response'
  | 'auth_sha2' | 'auth_pubkey' | 'auth_sha2_response' | 'binlog_dump' | 'infile_data';

export interface ColumnMeta {
  readonly type: number;
  readonly flags: number;
}

export interface PreparedStatement {
  readonly query: string;
  readonly numParams: number;
  readonly numFields: number;
  /** Parameter types (type | unsigned<<8) bound by the last EXECUTE with new-params-bound = 1. */
  paramTypes: number[] | null;
  /** Parameters whose value was sent with COM_STMT_SEND_LONG_DATA. */
  streamed: number[];
}

export interface MysqlState {
  srvCaps: number;
  srvExt: number;
  cliCaps: number;
  cliExt: number;
  /** Major server version (from the greeting), 0 if unknown. */
  major: number;
  authMethod: string;
  phase: Phase;
  resultFormat: 'text' | 'binary';
  /** Column / parameter definitions still expected in the current block. */
  remainingDefs: number;
  /** Columns of the result set being received (null: unknown). */
  columns: ColumnMeta[] | null;
  stmts: Map<number, PreparedStatement>;
  /** Statement id of the last PREPARE response (execute with id 0xffffffff uses it). */
  lastStmtId: number;
  /** Text of the COM_STMT_PREPARE waiting for its response. */
  pendingPrepare: string;
  /** Statement id whose PREPARE response is in progress (for its definitions). */
  preparingStmt: number;
  /** Login in progress: the next OK/ERR answers the credentials. */
  authenticating: boolean;
  /** The login in progress is a COM_CHANGE_USER (a command: its OK/ERR is also its response). */
  authIsCommand: boolean;
  /** TLS: 'requested' after the client's SSL request; 'active' once TLS records flow. */
  tls: 'none' | 'requested' | 'active';
  /** Compression: 'init' after both ends offered it at login, 'active' after the OK that ends login. */
  compression: 'none' | 'init' | 'active';
  /** Decompressed bytes not yet forming a whole inner packet, per direction (0 client, 1 server). */
  inner: [Uint8Array, Uint8Array];
  /** Capabilities come from a login we saw (else they are assumed, as when a capture starts mid-connection). */
  capsKnown: boolean;
  /** Column definitions ended under an assumed CLIENT_DEPRECATE_EOF: an EOF may still follow them. */
  eofMaybe: boolean;
  /** Rows counted in the current result set (for response events). */
  rows: number;
  /** Info column emulation (Wireshark's column fence) for the frame being dissected. */
  infoFrame: number;
  infoFence: string;
}

/** Capabilities assumed when a capture starts after the handshake (as Wireshark assumes). */
const ASSUMED_CAPS = 0x0200; // CLIENT_PROTOCOL_41
const ASSUMED_EXT = 0x0100 | 0x0080; // CLIENT_DEPRECATE_EOF | CLIENT_SESSION_TRACK

export function newMysqlState(): MysqlState {
  return {
    srvCaps: ASSUMED_CAPS, srvExt: 0x0100, cliCaps: ASSUMED_CAPS, cliExt: ASSUMED_EXT,
    major: 0, authMethod: '', phase: 'undefined', resultFormat: 'text', remainingDefs: 0,
    columns: null, stmts: new Map(), lastStmtId: 0, pendingPrepare: '', preparingStmt: -1,
    authenticating: false, authIsCommand: false, tls: 'none', compression: 'none', inner: [new Uint8Array(0), new Uint8Array(0)],
    capsKnown: false, eofMaybe: false, rows: 0, infoFrame: -1, infoFence: '',
  };
}
