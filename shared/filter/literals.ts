/**
 * Text → value conversions for filter literals (Wireshark's ftype "from literal/from string"):
 * integers, floats, times, addresses and byte strings. Each returns null (or a message) when
 * the text is not of that form, so the caller can word the error for the type it wanted.
 */

/** Decimal, 0x hex, 0b binary or leading-zero octal, as C's strtoull with base 0 (plus 0b). */
export function parseInteger(text: string): bigint | null {
  if (/^[1-9][0-9]*$|^0$/.test(text)) return BigInt(text);
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return BigInt(text);
  if (/^0[bB][01]+$/.test(text)) return BigInt(text);
  if (/^0[0-7]+$/.test(text)) return BigInt('0o' + text.slice(1));
  return null;
}

/** A floating-point literal for FT_DOUBLE fields (C's strtod: decimal with exponent, inf, nan). */
export function parseDouble(text: string): number | null {
  if (/^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(text)) return Number(text);
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return Number(BigInt(text));
  if (/^0[0-7]+$/.test(text)) return Number(BigInt('0o' + text.slice(1)));
  if (/^inf(inity)?$/i.test(text)) return Infinity;
  if (/^nan$/i.test(text)) return NaN;
  return null;
}

/** A relative time literal: seconds with an optional fraction ("0.5", "10"). */
export function parseRelTime(text: string): number | null {
  return /^[0-9]+(\.[0-9]*)?$/.test(text) ? Number(text) : null;
}

const IPV4 = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;

/** Dotted-quad IPv4 with optional /prefix. Host names are not resolved (see Wireshark's -n). */
export function parseIPv4(text: string): { value: number; prefix: number } | { error: string } {
  const slash = text.indexOf('/');
  const addr = slash >= 0 ? text.slice(0, slash) : text;
  const m = IPV4.exec(addr);
  if (!m) return { error: `"${addr}" is not a valid hostname or IPv4 address.` };
  const value = ((+m[1]! << 24) | (+m[2]! << 16) | (+m[3]! << 8) | +m[4]!) >>> 0;
  if (slash < 0) return { value, prefix: 32 };
  const bits = text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(bits)) return { error: `"${text}" is not a valid hostname or IPv4 address.` };
  const prefix = Number(bits);
  if (prefix > 32) return { error: `Netmask bits in a CIDR IPv4 address should be <= 32, not ${prefix}` };
  return { value, prefix };
}

/** IPv6 (RFC 4291 text forms, including an embedded IPv4 tail) with optional /prefix. */
export function parseIPv6(text: string): { value: Uint8Array; prefix: number } | { error: string } {
  const slash = text.indexOf('/');
  const addr = slash >= 0 ? text.slice(0, slash) : text;
  const value = ipv6Bytes(addr);
  if (!value) return { error: `"${addr}" is not a valid hostname or IPv6 address.` };
  if (slash < 0) return { value, prefix: 128 };
  const bits = text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(bits)) return { error: `"${text}" is not a valid hostname or IPv6 address.` };
  const prefix = Number(bits);
  if (prefix > 128) return { error: `Prefix in a IPv6 address should be <= 128, not ${prefix}` };
  return { value, prefix };
}

function ipv6Bytes(addr: string): Uint8Array | null {
  if (!/^[0-9a-fA-F:.]+$/.test(addr)) return null;
  const groups: number[] = [];
  const parseGroups = (part: string, allowV4Tail: boolean): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      if (allowV4Tail && i === pieces.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if ('error' in v4) return null;
        out.push(v4.value >>> 16, v4.value & 0xffff);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return null;
    }
    return out;
  };
  const dbl = addr.indexOf('::');
  if (dbl >= 0) {
    if (addr.indexOf('::', dbl + 1) >= 0) return null;
    const head = parseGroups(addr.slice(0, dbl), false);
    const tail = parseGroups(addr.slice(dbl + 2), true);
    if (!head || !tail || head.length + tail.length > 7) return null;
    groups.push(...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail);
  } else {
    const all = parseGroups(addr, true);
    if (!all || all.length !== 8) return null;
    groups.push(...all);
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => { out[i * 2] = g >> 8; out[i * 2 + 1] = g & 0xff; });
  return out;
}

/**
 * A byte string: hex pairs optionally separated by ':', '-' or '.' ("aa:bb", "aa-bb", "aabb",
 * "aabb.ccdd"), or a one-byte hex integer "0x1f".
 */
export function parseBytes(text: string): Uint8Array | null {
  if (/^0[xX][0-9a-fA-F]{1,2}$/.test(text)) return Uint8Array.of(parseInt(text.slice(2), 16));
  if (/^[0-9a-fA-F]$/.test(text)) return Uint8Array.of(parseInt(text, 16));
  if (!/^[0-9a-fA-F]{2}([:.-]?[0-9a-fA-F]{2})*$/.test(text)) return null;
  const hex = text.replace(/[:.-]/g, '');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * An absolute time as Wireshark 4.0 accepts it: "Nov 12, 1999 08:55:44.123" or
 * "2011-07-04 12:34:56" (also with 'T'), local time unless it ends in "Z" or "UTC".
 * Returns nanoseconds since the epoch.
 */
export function parseAbsTime(text: string): bigint | null {
  const s = text.trim();
  let m = /^([A-Za-z]{3})\s+(\d{1,2}),\s*(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(\s*(?:Z|UTC))?$/.exec(s);
  let y: number, mo: number, d: number, h: number, mi: number, sec: number, frac: string | undefined, utc: boolean;
  if (m) {
    mo = MONTHS.indexOf(m[1]!.toLowerCase());
    if (mo < 0) return null;
    d = +m[2]!; y = +m[3]!; h = +m[4]!; mi = +m[5]!; sec = +(m[6] ?? 0); frac = m[7]; utc = !!m[8];
  } else {
    m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(\s*(?:Z|UTC))?$/.exec(s);
    if (!m) return null;
    y = +m[1]!; mo = +m[2]! - 1; d = +m[3]!; h = +m[4]!; mi = +m[5]!; sec = +(m[6] ?? 0); frac = m[7]; utc = !!m[8];
  }
  if (mo > 11 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return null;
  const ms = utc ? Date.UTC(y, mo, d, h, mi, sec) : new Date(y, mo, d, h, mi, sec).getTime();
  if (!Number.isFinite(ms)) return null;
  const nanos = frac ? BigInt(frac.padEnd(9, '0')) : 0n;
  return BigInt(ms) * 1_000_000n + nanos;
}
