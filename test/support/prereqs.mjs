#!/usr/bin/env node
// Checks that the system packages the tests need are installed (runs before vitest in `npm test`).
// Plain Node ESM with no dependencies, so it works before `npm install` and outside TypeScript.
// Presence is checked by files the packages provide (fast: no dpkg query) so a second run is quiet
// and well under a second. As root, missing packages are installed with apt-get; otherwise the
// exact command is printed and the script exits 1.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { capBuiltPatched, patchAndBuildCap } from '../../build/cap-patch.mjs';

/**
 * Debian packages the tests need, each with the files that prove it is installed (any one of
 * `paths` present is enough). A path segment may be `*` to match any directory (versioned dirs).
 * Later work appends here (e.g. `{ name: 'chromium', paths: ['/usr/bin/chromium'] }`).
 * @type {{ name: string; paths: string[] }[]}
 */
export const SYSTEM_PACKAGES = [
  { name: 'tshark', paths: ['/usr/bin/tshark'] },
  { name: 'tcpdump', paths: ['/usr/bin/tcpdump', '/usr/sbin/tcpdump'] },
  { name: 'libpcap-dev', paths: ['/usr/include/pcap/pcap.h'] },
  { name: 'mariadb-server', paths: ['/usr/sbin/mariadbd'] },
  { name: 'mariadb-client', paths: ['/usr/bin/mariadb'] },
  { name: 'postgresql', paths: ['/usr/lib/postgresql/*/bin/postgres'] },
  { name: 'postgresql-client', paths: ['/usr/bin/psql'] },
  { name: 'redis-server', paths: ['/usr/bin/redis-server'] },
  { name: 'redis-tools', paths: ['/usr/bin/redis-cli'] },
  { name: 'memcached', paths: ['/usr/bin/memcached'] },
  { name: 'iproute2', paths: ['/usr/sbin/ip', '/usr/bin/ip'] },
  { name: 'iptables', paths: ['/usr/sbin/iptables'] },
  { name: 'openssh-server', paths: ['/usr/sbin/sshd'] },
  { name: 'openssh-client', paths: ['/usr/bin/ssh'] },
  { name: 'netcat-openbsd', paths: ['/usr/bin/nc.openbsd', '/bin/nc.openbsd'] },
  { name: 'util-linux', paths: ['/usr/bin/setpriv'] },
  { name: 'chromium', paths: ['/usr/bin/chromium'] },
  { name: 'openssl', paths: ['/usr/bin/openssl'] },
];

/** True if a path (with optional `*` segments) exists. */
function pathExists(pattern) {
  if (!pattern.includes('*')) return existsSync(pattern);
  const segments = pattern.split('/').filter(Boolean);
  let candidates = ['/'];
  for (const seg of segments) {
    const next = [];
    for (const dir of candidates) {
      if (seg === '*') {
        let entries = [];
        try {
          entries = readdirSync(dir);
        } catch {
          continue;
        }
        for (const e of entries) next.push(join(dir, e));
      } else {
        const p = join(dir, seg);
        if (existsSync(p)) next.push(p);
      }
    }
    if (next.length === 0) return false;
    candidates = next;
  }
  return true;
}

/** Names of the packages in SYSTEM_PACKAGES that are not installed. */
export function missingPackages(packages = SYSTEM_PACKAGES) {
  return packages.filter((p) => !p.paths.some(pathExists)).map((p) => p.name);
}

const SETUID_PRESEED = 'wireshark-common wireshark-common/install-setuid boolean false';

/** The install command a non-root user should run. */
export function installCommand(names) {
  const preseed = names.includes('tshark') ? `echo '${SETUID_PRESEED}' | sudo debconf-set-selections && ` : '';
  return `${preseed}sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${names.join(' ')}`;
}

function run(cmd, args, input) {
  const r = spawnSync(cmd, args, {
    stdio: [input === undefined ? 'ignore' : 'pipe', 'inherit', 'inherit'],
    input,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.error) throw new Error(`${cmd} failed to start: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

/** Installs what is missing (as root) or explains how; returns the process exit code. */
export function ensurePrereqs(packages = SYSTEM_PACKAGES) {
  const missing = missingPackages(packages);
  if (missing.length === 0) return 0;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    console.error(`dbwire tests need these system packages: ${missing.join(', ')}`);
    console.error(`Install them with:\n  ${installCommand(missing)}`);
    return 1;
  }
  console.error(`[prereqs] installing missing system packages: ${missing.join(' ')}`);
  // Another apt/dpkg may hold the lock; wait for it rather than failing.
  const lockWait = ['-o', 'DPkg::Lock::Timeout=900'];
  try {
    // Keep dumpcap non-setuid and the install non-interactive.
    if (missing.includes('tshark') && existsSync('/usr/bin/debconf-set-selections')) {
      run('debconf-set-selections', [], `${SETUID_PRESEED}\n`);
    }
    run('apt-get', [...lockWait, 'update']);
    run('apt-get', [...lockWait, 'install', '-y', '--no-install-recommends', ...missing]);
  } catch (err) {
    console.error(`[prereqs] ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  const still = missingPackages(packages);
  if (still.length > 0) {
    console.error(`[prereqs] still missing after apt-get install: ${still.join(', ')}`);
    return 1;
  }
  return 0;
}

/**
 * The optional `cap` capture module (node-gyp, needs libpcap-dev): when `npm install` ran before
 * libpcap-dev was there, it was skipped or left unbuilt. Install it if npm dropped it, then patch
 * and build it (build/cap-patch.mjs) now that the headers exist.
 */
export function ensureCapModule() {
  const root = new URL('../..', import.meta.url).pathname;
  if (capBuiltPatched()) return 0;
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const spec = pkg.optionalDependencies?.cap;
  if (!spec) return 0;
  if (!existsSync(join(root, 'node_modules/cap/package.json'))) {
    console.error('[prereqs] installing the optional capture module "cap"');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const args = ['install', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', `cap@${spec}`];
    const r = spawnSync(npm, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) {
      console.error(`[prereqs] npm ${args.join(' ')} failed: the capture tests need it`);
      return 1;
    }
  }
  return patchAndBuildCap({ strict: true });
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) process.exitCode = ensurePrereqs() || ensureCapModule();
