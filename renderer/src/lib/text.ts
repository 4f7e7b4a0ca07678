/** Bytes as text for the bytes pane and Follow stream: printable ASCII, '.' for the rest. */

const HEX = '0123456789abcdef';

export function hex2(b: number): string {
  return HEX[b >> 4]! + HEX[b & 15]!;
}

export function asciiChar(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * A payload as readable text: UTF-8, with control characters other than tab/newline shown as
 * '.', so binary protocol framing does not garble the display.
 */
export function payloadText(b: Uint8Array): string {
  // eslint-disable-next-line no-control-regex
  return utf8.decode(b).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/g, '.');
}

/** True when most bytes are printable (a text protocol, or SQL in a binary frame). */
export function mostlyText(b: Uint8Array): boolean {
  if (b.length === 0) return true;
  let printable = 0;
  for (const x of b) if ((x >= 0x20 && x < 0x7f) || x === 9 || x === 10 || x === 13 || x >= 0x80) printable++;
  return printable / b.length > 0.75;
}

/** Classic 16-bytes-per-line hex dump (offset, hex, ASCII). */
export function hexDump(b: Uint8Array): string {
  const lines: string[] = [];
  for (let o = 0; o < b.length; o += 16) {
    const row = b.subarray(o, o + 16);
    let h = '';
    let a = '';
    for (let i = 0; i < 16; i++) {
      h += i < row.length ? `${hex2(row[i]!)} ` : '   ';
      if (i === 7) h += ' ';
      if (i < row.length) a += asciiChar(row[i]!);
    }
    lines.push(`${o.toString(16).padStart(8, '0')}  ${h} ${a}`);
  }
  return lines.join('\n');
}
