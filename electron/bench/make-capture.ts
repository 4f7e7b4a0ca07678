/**
 * Builds the benchmark capture once: real pgbench and mysqlslap traffic against local PostgreSQL
 * and MariaDB servers, captured with tcpdump on lo until at least `minPackets` frames are on disk.
 * The servers listen on random ports; the capture's ports are then rewritten to 5432 / 3306, so
 * tshark decodes it without Decode As and `tcp.port == 5432` means what it says.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { startMariaDB, startPostgres } from '../../test/support/servers';
import { runCommand } from '../../test/support/clients';

export interface BenchCaptureInfo {
  readonly file: string;
  readonly packets: number;
  readonly bytes: number;
}

const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);

export async function makeBenchCapture(file: string, minPackets: number): Promise<BenchCaptureInfo> {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.raw`;
  rmSync(tmp, { force: true });
  log('starting PostgreSQL and MariaDB');
  const [pg, my] = await Promise.all([startPostgres({ maxConnections: 40 }), startMariaDB({ maxConnections: 40 })]);
  try {
    const pgEnv = { ...process.env, PGPASSWORD: pg.password! };
    const pgArgs = ['-h', pg.host, '-p', String(pg.port), '-U', pg.user!];
    const init = await runCommand('pgbench', [...pgArgs, '-i', '-s', '1', '-q', pg.database!], { env: pgEnv, timeoutMs: 120_000 });
    if (init.code !== 0) throw new Error(`pgbench -i failed:\n${init.stderr}`);
    const dump = startTcpdump(tmp, [pg.port, my.port]);
    await dump.listening;
    log(`capturing pgbench (port ${pg.port}) and mysqlslap (port ${my.port}) until ${minPackets} packets`);
    let counted = { offset: 24, packets: 0 };
    let stop = false;
    const pgLoop = (async () => {
      while (!stop) {
        const r = await runCommand('pgbench', [...pgArgs, '-c', '3', '-j', '1', '-T', '5', '-n', pg.database!], { env: pgEnv, timeoutMs: 60_000 });
        if (r.code !== 0) throw new Error(`pgbench failed:\n${r.stderr}`);
      }
    })();
    const myLoop = (async () => {
      while (!stop) {
        const r = await runCommand('mysqlslap', ['-h', my.host, '-P', String(my.port), '-u', my.user!, `-p${my.password!}`,
          '--create-schema=shop_slap', '--auto-generate-sql', '--auto-generate-sql-load-type=key',
          '--auto-generate-sql-add-autoincrement', '--concurrency=3', '--number-of-queries=6000', '--iterations=1'], { timeoutMs: 120_000 });
        if (r.code !== 0) throw new Error(`mysqlslap failed:\n${r.stderr}`);
      }
    })();
    while (counted.packets < minPackets) {
      await new Promise((r) => setTimeout(r, 2000));
      counted = countPcapRecords(tmp, counted);
      log(`${counted.packets} packets`);
    }
    stop = true;
    await Promise.all([pgLoop, myLoop]);
    await dump.stop();
    rewritePorts(tmp, new Map([[pg.port, 5432], [my.port, 3306]]));
    renameSync(tmp, file);
  } finally {
    await Promise.all([pg.stop(), my.stop()]);
  }
  const packets = countPcapRecords(file, { offset: 24, packets: 0 }).packets;
  return { file, packets, bytes: statSync(file).size };
}

function startTcpdump(file: string, ports: number[]): { listening: Promise<void>; stop(): Promise<void> } {
  const args = ['-i', 'lo', '-n', '-B', '262144', '-s', '262144', '-w', file];
  if (process.getuid?.() === 0) args.push('-Z', 'root');
  args.push(ports.map((p) => `tcp port ${p}`).join(' or '));
  const child: ChildProcess = spawn('tcpdump', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exit = new Promise<void>((r) => child.once('exit', () => r()));
  const listening = new Promise<void>((resolve, reject) => {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => { stderr += s; if (stderr.includes('listening on')) resolve(); });
    child.once('error', reject);
    void exit.then(() => reject(new Error(`tcpdump exited:\n${stderr}`)));
  });
  return {
    listening,
    async stop() {
      await new Promise((r) => setTimeout(r, 500));
      child.kill('SIGINT');
      await exit;
      const dropped = /(\d+) packets? dropped by kernel/.exec(stderr);
      if (dropped && Number(dropped[1]) > 0) log(`note: the kernel dropped ${dropped[1]} packets during the capture`);
    },
  };
}

/** Counts complete little/big-endian pcap records from `from.offset` on (the file may be growing). */
export function countPcapRecords(file: string, from: { offset: number; packets: number }): { offset: number; packets: number } {
  if (!existsSync(file)) return from;
  const fd = openSync(file, 'r');
  try {
    const size = statSync(file).size;
    const head = Buffer.alloc(4);
    if (size < 24 || readSync(fd, head, 0, 4, 0) < 4) return from;
    const le = head.readUInt32LE(0) === 0xa1b2c3d4 || head.readUInt32LE(0) === 0xa1b23c4d;
    const rec = Buffer.alloc(16);
    let { offset, packets } = from;
    while (offset + 16 <= size) {
      readSync(fd, rec, 0, 16, offset);
      const cap = le ? rec.readUInt32LE(8) : rec.readUInt32BE(8);
      if (offset + 16 + cap > size) break;
      offset += 16 + cap;
      packets++;
    }
    return { offset, packets };
  } finally {
    closeSync(fd);
  }
}

/** Rewrites TCP ports of an Ethernet/IPv4 pcap in place (checksums are left as they are). */
function rewritePorts(file: string, map: ReadonlyMap<number, number>): void {
  const fd = openSync(file, 'r+');
  try {
    const size = statSync(file).size;
    const chunk = Buffer.alloc(8 * 1024 * 1024);
    const head = Buffer.alloc(24);
    readSync(fd, head, 0, 24, 0);
    const le = head.readUInt32LE(0) === 0xa1b2c3d4 || head.readUInt32LE(0) === 0xa1b23c4d;
    let off = 24;
    while (off + 16 <= size) {
      const n = readSync(fd, chunk, 0, chunk.length, off);
      let p = 0;
      while (p + 16 <= n) {
        const cap = le ? chunk.readUInt32LE(p + 8) : chunk.readUInt32BE(p + 8);
        if (p + 16 + cap > n) break;
        const d = p + 16;
        if (cap >= 14 + 20 + 4 && chunk.readUInt16BE(d + 12) === 0x0800 && chunk[d + 14 + 9] === 6) {
          const ihl = (chunk[d + 14]! & 15) * 4;
          const t = d + 14 + ihl;
          if (t + 4 <= d + cap) {
            for (const at of [t, t + 2]) {
              const to = map.get(chunk.readUInt16BE(at));
              if (to !== undefined) chunk.writeUInt16BE(to, at);
            }
          }
        }
        p += 16 + cap;
      }
      if (p === 0) break;
      writeSync(fd, chunk, 0, p, off);
      off += p;
    }
  } finally {
    closeSync(fd);
  }
}
