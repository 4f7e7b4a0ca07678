/**
 * Content detection for streams on ports not registered for MySQL: only a server greeting
 * (HandshakeV10, or an ERR instead of one) or a 4.1 login request counts. Strict on purpose.
 */

const isPrintable = (b: number): boolean => b >= 0x20 && b < 0x7f;

export function probeMysql(data: Uint8Array, fromServer: boolean): boolean {
  if (data.length < 5) return false;
  const len = data[0]! | (data[1]! << 8) | (data[2]! << 16);
  const seq = data[3]!;
  return fromServer ? (seq === 0 && probeGreeting(data, len)) : (seq === 1 && probeLogin(data, len));
}

function probeGreeting(d: Uint8Array, len: number): boolean {
  if (len < 8 || len > 1024 || d.length < 4 + Math.min(len, 64)) return false;
  if (d[4] === 0xff) {
    // ERR instead of a greeting (e.g. 1130 host not allowed): code, then readable text.
    const code = d[5]! | (d[6]! << 8);
    if (code < 1000 || code > 9999) return false;
    const end = Math.min(4 + len, d.length);
    for (let i = 7; i < end; i++) if (!isPrintable(d[i]!)) return false;
    return true;
  }
  if (d[4] !== 10) return false;
  // Version: a digit, then printable characters up to a NUL.
  if (d[5]! < 0x30 || d[5]! > 0x39) return false;
  let i = 6;
  const limit = Math.min(4 + len, d.length, 6 + 80);
  while (i < limit && d[i] !== 0) {
    if (!isPrintable(d[i]!)) return false;
    i++;
  }
  if (i >= limit || d[i] !== 0) return false;
  // thread id (4) + 8 bytes of salt + a NUL filler.
  const filler = i + 1 + 4 + 8;
  if (filler >= 4 + len) return false;
  return filler >= d.length || d[filler] === 0;
}

function probeLogin(d: Uint8Array, len: number): boolean {
  if (len < 32 || len > 65536 || d.length < 4 + 32) return false;
  const caps = d[4]! | (d[5]! << 8);
  if (!(caps & 0x0200)) return false; // CLIENT_PROTOCOL_41
  // 23 reserved bytes after max packet (4) and charset (1): the first 19 are always zero
  // (MariaDB clients put extended capabilities in the last 4).
  for (let i = 4 + 9; i < 4 + 9 + 19; i++) if (d[i] !== 0) return false;
  if (len === 32) return (caps & 0x0800) !== 0; // SSL request
  // User name: printable, NUL-terminated.
  let i = 4 + 32;
  const limit = Math.min(d.length, 4 + len);
  while (i < limit && d[i] !== 0) {
    if (!isPrintable(d[i]!)) return false;
    i++;
  }
  return i < limit;
}
