/** Per-connection TDS state: negotiated version and byte orders, reassembly buffers, login/TLS phase. */

/** Wireshark's internal version codes (packet-tds.c TDS_PROTOCOL_*), so version tests read the same. */
export const V_UNKNOWN = 0xffff;
export const V4 = 0x4000;
export const V5 = 0x5000;
export const V70 = 0x7000;
export const V71 = 0x7100;
export const V72 = 0x7200;
export const V73A = 0x730a;
export const V73B = 0x730b;
export const V74 = 0x7400;

export interface FragmentBuffer {
  /** Packet type of the first fragment (the message's type). */
  type: number;
  parts: Map<number, Uint8Array>;
  bytes: number;
}

export interface TdsState {
  version: number;
  int2Le: boolean;
  int4Le: boolean;
  /** Character data is UTF-16LE (TDS 7) rather than single-byte (TDS 4/5). */
  charUtf16: boolean;
  /** Wireshark's tds_packets_in_order: packets numbered from 0 are appended in arrival order. */
  inOrder: boolean;
  /** Reassembly of multi-packet messages, per direction and channel. */
  fragments: Map<string, FragmentBuffer>;
  /** Encryption options from the PRELOGIN exchange (undefined until seen). */
  clientEncryption?: number;
  serverEncryption?: number;
  tlsStarted: boolean;
  /** A login (LOGIN7 / TDS 4/5 login, or the TLS record carrying it) was sent and not answered yet. */
  loginPending: boolean;
  loginDone: boolean;
}

export function newTdsState(): TdsState {
  return {
    version: V_UNKNOWN, int2Le: true, int4Le: true, charUtf16: true, inOrder: false,
    fragments: new Map(), tlsStarted: false, loginPending: false, loginDone: false,
  };
}

/** TDS 4.x, 5.0, or 7.0 (Wireshark's TDS_PROTO_LESS_THAN_TDS7 includes 7.0). */
export const lessThanTds7 = (s: TdsState): boolean => s.version <= V70;
export const isTds7 = (s: TdsState): boolean => s.version >= V70 && s.version <= V74;
export const tds71OrLess = (s: TdsState): boolean => s.version <= V71;
export const tds72OrGreater = (s: TdsState): boolean => s.version >= V72;
/** TDS 4/5 token stream (Sybase token numbering). */
export const isSybase = (s: TdsState): boolean => s.version === V4 || s.version === V5;

function setTds7(s: TdsState, v: number): void {
  s.version = v;
  s.int2Le = true;
  s.int4Le = true;
  s.charUtf16 = true;
}

/**
 * Record a version seen on the wire: a protocol value (LOGIN7, LOGINACK) or a server product
 * version (PRELOGIN response), mapped as Wireshark's set_tds_version does; unknown values → 7.4.
 */
export function setVersion(s: TdsState, wire: number): void {
  switch (wire >>> 0) {
    case 0x04020000: case 0x04060000: s.version = V4; return;
    case 0x05000000: s.version = V5; return;
    case 0x07000000: setTds7(s, V70); return;
    case 0x07010000: case 0x71000001: setTds7(s, V71); return;
    case 0x72090002: setTds7(s, V72); return;
    case 0x730a0003: setTds7(s, V73A); return;
    case 0x730b0003: setTds7(s, V73B); return;
    case 0x74000004: setTds7(s, V74); return;
  }
  // Server product versions (major.minor.build): 7 = SQL Server 7.0, 8 = 2000, 9 = 2005, 10 = 2008 (R2 from minor 50).
  const major = wire >>> 24;
  const minor = (wire >>> 16) & 0xff;
  if (major === 4) s.version = V4; // TDS 4.x / 5.x minor variants (e.g. 5.1 from some drivers)
  else if (major === 5) s.version = V5;
  else if (major === 7) setTds7(s, V70);
  else if (major === 8) setTds7(s, V71);
  else if (major === 9) setTds7(s, V72);
  else if (major === 10) setTds7(s, minor >= 50 ? V73B : V73A);
  else s.version = V74;
}
