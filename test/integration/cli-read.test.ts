// `dbwire read` end to end: tshark's options and layout, and bad input handling (issue: foundation, point 7).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ether, ipv4, tcp, writePcap } from '../support/frames';
import { dbwire } from '../support/cli';
import { tshark } from '../support/tshark';

const dir = mkdtempSync(join(tmpdir(), 'dbwire-cli-'));
const SYN = 0x02, ACK = 0x10, PSH = 0x08;

function sample(): string {
  const file = join(dir, 'sample.pcap');
  const c = (seq: number, ack: number, flags: number, payload?: string, sport = 40000, dport = 3306) =>
    ether(0x0800, ipv4(sport === 40000 ? '10.0.0.1' : '10.0.0.2', sport === 40000 ? '10.0.0.2' : '10.0.0.1', 6, tcp({ sport, dport, seq, ack, flags, payload })));
  writePcap(file, 1, [
    c(100, 0, SYN),
    c(900, 101, SYN | ACK, undefined, 3306, 40000),
    c(101, 901, ACK),
    c(101, 901, ACK | PSH, 'x'.repeat(30)),
    c(901, 131, ACK, undefined, 3306, 40000),
  ].map((data, i) => ({ data, sec: 1_700_000_000, usec: i * 1000 })));
  return file;
}

describe('dbwire read', () => {
  it('prints -T fields like tshark, with header, separator, occurrence, aggregator and quote', async () => {
    const file = sample();
    const args = ['-r', file, '-T', 'fields', '-e', 'frame.number', '-e', 'ip.addr', '-e', 'tcp.flags', '-E', 'header=y', '-E', 'separator=,', '-E', 'occurrence=a', '-E', 'aggregator=;', '-E', 'quote=d'];
    const ours = await dbwire(['read', ...args]);
    expect(ours.stderr).toBe('');
    expect(ours.code).toBe(0);
    const ref = await tshark(file, { extra: args.slice(2) });
    expect(ours.stdout.trimEnd().split('\n')).toEqual(ref);
  });

  it('stops after -c N frames and accepts -Y on a field', async () => {
    const ours = await dbwire(['read', '-r', sample(), '-c', '2', '-T', 'fields', '-e', 'frame.number']);
    expect(ours.stdout).toBe('1\n2\n');
  });

  it('prints one summary line per frame by default', async () => {
    const ours = await dbwire(['read', '-r', sample()]);
    const lines = ours.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^\s+1\s+0\.000000\s+10\.0\.0\.1 → 10\.0\.0\.2\s+TCP 54 40000 → 3306 \[SYN\] Seq=0/);
  });

  it('prints -T json that parses, with the layers of each frame', async () => {
    const ours = await dbwire(['read', '-r', sample(), '-T', 'json']);
    const pkts = JSON.parse(ours.stdout) as { _source: { layers: Record<string, Record<string, unknown>> } }[];
    expect(pkts).toHaveLength(5);
    expect(pkts[0]!._source.layers.tcp!['tcp.srcport']).toBe('40000');
    expect(pkts[0]!._source.layers.frame!['frame.number']).toBe('1');
  });

  it('a truncated file gives every complete packet, then the offset and reason, exit 2', async () => {
    const whole = readFileSync(sample());
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, whole.subarray(0, whole.length - 20));
    const r = await dbwire(['read', '-r', cut, '-T', 'fields', '-e', 'frame.number']);
    expect(r.stdout).toBe('1\n2\n3\n4\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/offset \d+/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a file that is not a capture gives one clear line and exit 2; an empty file is no error', async () => {
    const junk = join(dir, 'junk.txt');
    writeFileSync(junk, 'hello, this is not a capture file\n');
    const r = await dbwire(['read', '-r', junk]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/not a capture/i);
    const empty = join(dir, 'empty.pcap');
    writeFileSync(empty, '');
    const e = await dbwire(['read', '-r', empty]);
    expect(e).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('rejects an unknown -e field the way tshark does', async () => {
    const r = await dbwire(['read', '-r', sample(), '-T', 'fields', '-e', 'tcp.no_such_field']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/aren't valid/);
  });
});
