// Remote capture over ssh: Debian's sshd started by the test on 127.0.0.1 (its own config, host
// key and authorized key in a temp dir, a non-default port); `tcpdump` runs "remotely" through
// it and the loopback traffic of a MariaDB session arrives and decodes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveCapture } from '../../electron/capture/live-session';
import { runCommand, runMariadb } from '../support/clients';
import { freePort, startMariaDB, type DbServer } from '../support/servers';
import { delay } from '../support/timing';

const SSHD = '/usr/sbin/sshd';
let dir: string;
let sshd: ChildProcess | null = null;
let sshPort: number;
let db: DbServer;

beforeAll(async () => {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} not found: install openssh-server (run: node test/support/prereqs.mjs)`);
  dir = mkdtempSync(join(tmpdir(), 'dbwire-ssh-test-'));
  for (const [file, type] of [['host_key', 'ed25519'], ['client_key', 'ed25519']] as const) {
    const r = await runCommand('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'dbwire-test', '-f', join(dir, file)]);
    if (r.code !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  }
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')), { mode: 0o600 });
  sshPort = await freePort();
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${sshPort} ${readFileSync(join(dir, 'host_key.pub'), 'utf8')}`);
  writeFileSync(join(dir, 'sshd_config'), [
    `Port ${sshPort}`, 'ListenAddress 127.0.0.1', `HostKey ${join(dir, 'host_key')}`, `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, 'PermitRootLogin prohibit-password', 'PubkeyAuthentication yes',
    'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no', '',
  ].join('\n'));
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege-separation directory
  sshd = spawn('setpriv', ['--pdeathsig', 'KILL', '--', SSHD, '-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`sshd did not start:\n${log}`)), 15_000);
    sshd!.stderr!.on('data', (b: Buffer) => { log += b; if (log.includes('Server listening')) { clearTimeout(t); resolve(); } });
    sshd!.once('exit', (code) => { clearTimeout(t); reject(new Error(`sshd exited with ${code}:\n${log}`)); });
  });
  db = await startMariaDB();
});

/**
 * The processes of a capture whose filter is `tcp port PORT` ("pid cmdline" each): tcpdump, the
 * remote shell and the local ssh client. Not the capture process, whose arguments hold the filter
 * too (it may still be exiting when a failed start has been reported).
 */
async function captureProcesses(port: number, name?: string): Promise<string[]> {
  const r = await runCommand('pgrep', ['-a', ...(name ? ['-x', name] : ['-f', `tcp port ${port}`])]);
  const own = new RegExp(`tcp port ${port}($|[^0-9])`);
  return r.stdout.split('\n').filter((l) => own.test(l) && !l.includes('capture-process'));
}

/** Waits up to `ms` for a capture's processes to be gone; returns those left. */
async function goneWithin(port: number, ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  let left = await captureProcesses(port);
  while (left.length && Date.now() < deadline) { await delay(100); left = await captureProcesses(port); }
  return left;
}

function sshTarget() {
  return {
    destination: 'root@127.0.0.1', port: sshPort, identity: join(dir, 'client_key'),
    options: [`UserKnownHostsFile=${join(dir, 'known_hosts')}`, 'GlobalKnownHostsFile=/dev/null'],
  };
}

afterAll(async () => {
  sshd?.kill('SIGKILL');
  await db?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('capture over ssh', () => {
  it('runs tcpdump on the remote host through ssh; the traffic arrives and decodes', async () => {
    const live = await LiveCapture.start({
      iface: 'lo', filter: `tcp port ${db.port}`, decodeAs: new Map([[db.port, 'mysql']]), spoolPath: join(dir, 'ssh.pcapng'),
      ssh: sshTarget(),
    });
    expect(live.backend).toBe('ssh root@127.0.0.1');
    const queries: string[] = [];
    live.onFrame = (d) => { for (const n of d.tree.all('mysql.query')) queries.push(String(n.value)); };
    await delay(200);
    const r = await runMariadb(db, { sql: ['SELECT 7 AS over_ssh', 'SELECT 8 AS again'] });
    expect(r.code).toBe(0);
    const deadline = Date.now() + 10_000;
    while (!queries.includes('SELECT 8 AS again') && Date.now() < deadline) await delay(50);
    // Stopped right after the last query: it is still in tcpdump's ring block, and must arrive.
    expect((await runMariadb(db, { sql: ['SELECT 9 AS just_before_stop'] })).code).toBe(0);
    const end = await live.stop();
    expect(queries).toEqual(expect.arrayContaining(['SELECT 7 AS over_ssh', 'SELECT 8 AS again', 'SELECT 9 AS just_before_stop']));
    expect(end.stats.decoded).toBeGreaterThan(10);
    const c = live.connections().connections;
    expect(c.some((x) => x.server === `127.0.0.1:${db.port}` && x.protocol === 'mysql')).toBe(true);
    expect(end.stats.dropped).toBe(0); // tcpdump's closing statistics: it was stopped, not cut off
    expect(await goneWithin(db.port, 3000)).toEqual([]);
  });

  it('stops the remote tcpdump when the capture stops, even when its filter matches nothing', async () => {
    // Nothing ever matches, so tcpdump never writes: only the remote shell watching ssh's stdin can
    // stop it (SIGPIPE never comes). The unused port in the filter marks this capture's tcpdump.
    const quietPort = await freePort();
    const live = await LiveCapture.start({ iface: 'lo', filter: `tcp port ${quietPort}`, spoolPath: join(dir, 'quiet.pcapng'), ssh: sshTarget() });
    expect(await captureProcesses(quietPort, 'tcpdump')).toHaveLength(1);
    const t0 = Date.now();
    const end = await live.stop();
    const stopMs = Date.now() - t0;
    expect(end.reason).toBe('stopped');
    // The closing statistics arrived: tcpdump exited cleanly, and it was not the SIGKILL fallback (5 s).
    expect(end.stats.dropped).toBe(0);
    expect(stopMs).toBeLessThan(4000);
    // No tcpdump left on the "remote" host, nor the remote shell, nor the local ssh client.
    expect(await goneWithin(quietPort, 3000)).toEqual([]);
  });

  it('fails with tcpdump\'s own message when the remote tcpdump exits at once; the filter is never shell code', async () => {
    const quietPort = await freePort();
    const pwned = join(dir, 'pwned');
    const err = await LiveCapture.start({
      iface: 'lo', filter: `tcp port ${quietPort} and $(touch ${pwned}) 'x'; touch ${pwned}`, spoolPath: join(dir, 'bad.pcapng'), ssh: sshTarget(),
    }).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ kind: 'filter' });
    expect((err as Error).message).toMatch(/^ssh root@127\.0\.0\.1: tcpdump: can't parse filter expression/);
    expect(existsSync(pwned)).toBe(false);
    expect(await goneWithin(quietPort, 3000)).toEqual([]);
  });

  it('fails with a clear message, without prompting, when the key is not accepted', async () => {
    const err = await LiveCapture.start({
      iface: 'lo', filter: 'tcp port 1', spoolPath: join(dir, 'denied.pcapng'),
      ssh: { destination: 'nobody@127.0.0.1', port: sshPort, identity: join(dir, 'client_key'), options: [`UserKnownHostsFile=${join(dir, 'known_hosts')}`] },
    }).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ kind: 'permission' });
    expect((err as Error).message).toMatch(/Permission denied \(publickey/);
  });
});
