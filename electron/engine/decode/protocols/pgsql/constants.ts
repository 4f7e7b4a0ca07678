/** PostgreSQL wire-protocol constants (protocol 3.x) and Wireshark's message type names. */

/** Request codes of the messages that have no type byte (sent where a StartupMessage may be). */
export const CANCEL_REQUEST_CODE = 80877102;
export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;

/** PostgreSQL refuses startup packets longer than this (MAX_STARTUP_PACKET_LENGTH). */
export const MAX_STARTUP_LENGTH = 10000;
/** Larger than any message a server accepts or sends (MaxAllocSize is 1 GiB - 1): anything
 *  longer is not PostgreSQL, and waiting for it would pin memory. */
export const MAX_MESSAGE_LENGTH = 0x40000000;

/** Frontend message names (Wireshark's fe_messages; 'p' is refined by the auth state). */
export const FE_TYPES: Readonly<Record<string, string>> = {
  p: 'Password message', Q: 'Simple query', P: 'Parse', B: 'Bind', E: 'Execute', D: 'Describe',
  C: 'Close', H: 'Flush', S: 'Sync', F: 'Function call', d: 'Copy data', c: 'Copy completion',
  f: 'Copy failure', X: 'Termination',
};

/** Backend message names (Wireshark's be_messages, plus CopyBothResponse). */
export const BE_TYPES: Readonly<Record<string, string>> = {
  R: 'Authentication request', K: 'Backend key data', S: 'Parameter status', 1: 'Parse completion',
  2: 'Bind completion', 3: 'Close completion', C: 'Command completion', t: 'Parameter description',
  T: 'Row description', D: 'Data row', I: 'Empty query', n: 'No data', E: 'Error', N: 'Notice',
  s: 'Portal suspended', Z: 'Ready for query', A: 'Notification', V: 'Function call response',
  G: 'CopyIn response', H: 'CopyOut response', W: 'CopyBoth response', d: 'Copy data',
  c: 'Copy completion', v: 'Negotiate protocol version',
};

/**
 * A name table by type byte (an array of 256): looking names up by a one-character string made the
 * JIT compile a check for the one name it had seen, and deoptimize at the next.
 */
export function typeNamesByByte(names: Readonly<Record<string, string>>): readonly (string | undefined)[] {
  const out: (string | undefined)[] = new Array<string | undefined>(256).fill(undefined);
  for (const [k, v] of Object.entries(names)) out[k.charCodeAt(0)] = v;
  return out;
}
export const FE_TYPE_NAMES = typeNamesByByte(FE_TYPES);
export const BE_TYPE_NAMES = typeNamesByByte(BE_TYPES);

/** Authentication request codes (AuthenticationXxx). */
export const AUTH = {
  OK: 0, KERBEROS5: 2, CLEARTEXT: 3, CRYPT: 4, MD5: 5, SCM: 6, GSS: 7, GSS_CONTINUE: 8, SSPI: 9,
  SASL: 10, SASL_CONTINUE: 11, SASL_FINAL: 12,
} as const;
