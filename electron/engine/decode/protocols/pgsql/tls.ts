/** A one-line summary of TLS records (for the Info column once PostgreSQL has switched to TLS). */

const CONTENT: Readonly<Record<number, string>> = {
  20: 'Change Cipher Spec', 21: 'Alert', 22: 'Handshake', 23: 'Application Data', 24: 'Heartbeat',
};
const HANDSHAKE: Readonly<Record<number, string>> = {
  1: 'Client Hello', 2: 'Server Hello', 4: 'New Session Ticket', 8: 'Encrypted Extensions',
  11: 'Certificate', 12: 'Server Key Exchange', 13: 'Certificate Request', 14: 'Server Hello Done',
  15: 'Certificate Verify', 16: 'Client Key Exchange', 20: 'Finished',
};

/** Names of the records that start in `data` ("Client Hello", "Application Data"…). */
export function tlsRecordSummary(data: Uint8Array): string {
  const names: string[] = [];
  let off = 0;
  // Each step moves past one record header and body; at most 32 records are named.
  while (off + 5 <= data.length && names.length < 32) {
    const type = data[off]!;
    const name = CONTENT[type];
    if (!name || data[off + 1] !== 3) break;
    const len = (data[off + 3]! << 8) | data[off + 4]!;
    const hs = type === 22 && off + 5 < data.length ? HANDSHAKE[data[off + 5]!] : undefined;
    const label = hs ?? name;
    if (names[names.length - 1] !== label) names.push(label);
    off += 5 + len;
  }
  return names.length ? names.join(', ') : 'Continuation Data';
}
