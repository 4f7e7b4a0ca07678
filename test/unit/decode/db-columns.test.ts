// The Protocol and Info columns of DB messages on their well-known ports, against tshark: the first
// message of a frame replaces TCP's Info text (a regression once left "... Len=7,stats" here).
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytes, ether, ipv4, tcp, writePcap } from '../../support/frames';
import { tshark } from '../../support/tshark';
import { dbwire } from '../../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'dbwire-db-columns-'));
const ACK = 0x10, PSH = 0x08;
const COLUMNS = ['_ws.col.Protocol', '_ws.col.Info'];

/** A request and its answer on one connection to `port` (no handshake: decoders pick up mid-stream). */
function exchange(port: number, request: Uint8Array | string, answer: Uint8Array | string): Uint8Array[] {
  const len = (p: Uint8Array | string) => (typeof p === 'string' ? new TextEncoder().encode(p).length : p.length);
  return [
    ether(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcp({ sport: 40000, dport: port, seq: 1, ack: 1, flags: ACK | PSH, payload: request }))),
    ether(0x0800, ipv4('10.0.0.2', '10.0.0.1', 6, tcp({ sport: port, dport: 40000, seq: 1, ack: 1 + len(request), flags: ACK | PSH, payload: answer }))),
  ];
}

async function columnsAgree(name: string, frames: Uint8Array[], columns = COLUMNS, count = 2): Promise<void> {
  const file = join(dir, name + '.pcap');
  writePcap(file, 1, frames.map((data) => ({ data })));
  const [ref, got] = await Promise.all([
    tshark(file, { fields: columns }),
    dbwire(['read', '-r', file, '-T', 'fields', ...columns.flatMap((c) => ['-e', c])]),
  ]);
  expect(got.code, got.stderr).toBe(0);
  const ours = got.stdout.split('\n').filter(Boolean);
  expect(ours.join('\n')).not.toMatch(/Seq=|Len=/);
  expect(ours).toEqual(ref.filter(Boolean));
  expect(ours.length).toBe(count);
}

describe('DB messages own the Protocol and Info columns', () => {
  it('memcached text protocol on 11211', () => columnsAgree('memcache', exchange(11211, 'stats\r\n', 'STAT pid 1\r\nEND\r\n')));

  it('TDS on 1433', () => {
    const query = new TextEncoder().encode('select 1');
    const utf16 = bytes(...Array.from(query, (c) => [c, 0]));
    const batch = bytes([0x01, 0x01, 0x00, 8 + utf16.length, 0, 0, 1, 0], utf16);
    // DONE token, 8-byte row count (TDS 7.2+)
    const done = bytes([0xfd, 0x10, 0x00, 0xc1, 0x00, 1, 0, 0, 0, 0, 0, 0, 0]);
    const response = bytes([0x04, 0x01, 0x00, 8 + done.length, 0, 0, 1, 0], done);
    return columnsAgree('tds', exchange(1433, batch, response));
  });

  // tshark 4.0's -T fields escapes control bytes but prints a backslash as it is.
  it('a backslash in a string value prints as tshark prints it', () =>
    columnsAgree('backslash', exchange(11211, 'get a\\nb\\\\c\r\n', 'END\r\n'), ['memcache.key', '_ws.col.Info']));

  // A scanner's length-first probe with an unknown request code is PostgreSQL framing on 5432.
  it('an unknown untyped PostgreSQL message on 5432', () =>
    columnsAgree('pgsql-unknown', exchange(5432, bytes([0, 0, 0, 8, 0, 0xff, 0, 0xff]), 'N').slice(0, 1),
      ['pgsql.type', 'pgsql.length', '_ws.col.Protocol', '_ws.col.Info'], 1));

  it('Redis on 6379', () => columnsAgree('resp', exchange(6379, '*2\r\n$3\r\nGET\r\n$1\r\nk\r\n', '$1\r\nv\r\n')));
});

// Divergence kept: tshark 4.0's RESP dissector shows the elements of a reply that spans segments
// piecemeal in each segment's frame; we reassemble it and show it whole in the frame that
// completes it, as Wireshark does for every other reassembled PDU (and as the issue asks).
describe('a RESP reply that spans two segments', () => {
  it('is shown whole in the frame that completes it', async () => {
    const request = '*2\r\n$3\r\nGET\r\n$1\r\nk\r\n';
    const part1 = '*3\r\n$1\r\na\r\n', part2 = '$1\r\nb\r\n$1\r\nc\r\n';
    const seg = (seq: number, payload: string) =>
      ether(0x0800, ipv4('10.0.0.2', '10.0.0.1', 6, tcp({ sport: 6379, dport: 40000, seq, ack: 1 + request.length, flags: ACK | PSH, payload })));
    const file = join(dir, 'resp-split.pcap');
    writePcap(file, 1, [
      exchange(6379, request, '')[0]!,
      seg(1, part1),
      seg(1 + part1.length, part2),
    ].map((data) => ({ data })));
    const fields = ['resp.array.length', 'resp.bulk_string.length'];
    const [theirs, got] = await Promise.all([
      tshark(file, { fields, extra: ['-E', 'occurrence=a', '-E', 'aggregator=,'] }),
      dbwire(['read', '-r', file, '-T', 'fields', ...fields.flatMap((c) => ['-e', c]), '-E', 'occurrence=a', '-E', 'aggregator=,']),
    ]);
    expect(got.stdout.split('\n').slice(0, 3)).toEqual(['2\t3,1', '\t', '3\t1,1,1']);
    // tshark 4.0 puts the array header and first element in frame 2 (what this test pins us against).
    expect(theirs[1]).toMatch(/^3\t1/);
  });
});
