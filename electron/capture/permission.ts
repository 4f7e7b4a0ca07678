/**
 * May this process capture packets, with which backend, and if not, how to allow it on this OS.
 * Checked before a capture starts so the user gets the fix instead of a libpcap error.
 */
import { accessSync, constants, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { delimiter, join } from 'node:path';
import type { BackendName } from './types';

export interface PermissionCheck {
  readonly backend: BackendName;
  readonly permitted: boolean;
  /** Why not (when not permitted). */
  readonly reason?: string;
}

const CAP_NET_ADMIN = 12n;
const CAP_NET_RAW = 13n;

/** The effective capability set of this process (Linux), or null if unknown. */
export function effectiveCaps(statusText?: string): bigint | null {
  try {
    const text = statusText ?? readFileSync('/proc/self/status', 'utf8');
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(text);
    return m ? BigInt('0x' + m[1]) : null;
  } catch {
    return null;
  }
}

export function hasNetRaw(caps: bigint | null): boolean {
  return caps !== null && ((caps >> CAP_NET_RAW) & 1n) === 1n;
}

export function hasNetAdmin(caps: bigint | null): boolean {
  return caps !== null && ((caps >> CAP_NET_ADMIN) & 1n) === 1n;
}

/** Finds an executable on PATH (plus the sbin dirs, where Debian puts tcpdump). */
export function findTool(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const dirs = [...(env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/usr/local/bin'];
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, name);
    try {
      if (statSync(p).isFile()) return p;
    } catch { /* not here */ }
  }
  return null;
}

function canExecute(path: string): boolean {
  try { accessSync(path, constants.X_OK); return true; } catch { return false; }
}

/** File capabilities of a binary as `getcap` prints them ('' when none or unknown). */
function fileCaps(path: string): string {
  const getcap = findTool('getcap');
  if (!getcap) return '';
  const r = spawnSync(getcap, [path], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 ? r.stdout : '';
}

function isRoot(): boolean {
  return typeof process.geteuid === 'function' && process.geteuid() === 0;
}

/** Whether an external capture tool (dumpcap/tcpdump) will be able to capture when we run it. */
function toolPermitted(tool: string): PermissionCheck {
  const backend = tool as BackendName;
  const path = findTool(tool);
  if (!path) return { backend, permitted: false, reason: `${tool} is not installed` };
  if (!canExecute(path)) return { backend, permitted: false, reason: `${path} is not executable by this user (it is limited to its group)` };
  if (process.platform !== 'linux') return { backend, permitted: isRoot() || tool === 'dumpcap', reason: isRoot() ? undefined : 'not running as root' };
  if (isRoot() && hasNetRaw(effectiveCaps())) return { backend, permitted: true };
  const st = statSync(path);
  if (st.uid === 0 && (st.mode & 0o4000)) return { backend, permitted: true };
  if (/cap_net_raw/.test(fileCaps(path))) return { backend, permitted: true };
  return { backend, permitted: false, reason: `${path} has no capture capability and this process is not root` };
}

/** Whether each backend may capture from this process, in order of preference. */
export function checkPermissions(platform: NodeJS.Platform = process.platform): PermissionCheck[] {
  return [capPermitted(platform), toolPermitted('dumpcap'), toolPermitted('tcpdump')];
}

export function capPermitted(platform: NodeJS.Platform = process.platform): PermissionCheck {
  if (platform === 'linux') {
    const caps = effectiveCaps();
    if (hasNetRaw(caps)) return { backend: 'cap', permitted: true };
    return { backend: 'cap', permitted: false, reason: isRoot() ? 'running as root but without CAP_NET_RAW' : 'this process has neither root nor CAP_NET_RAW' };
  }
  if (platform === 'darwin') {
    const bpf = macBpfDevices();
    const ok = bpf.length > 0 && bpf.every((d) => { try { accessSync(d, constants.R_OK | constants.W_OK); return true; } catch { return false; } });
    return ok ? { backend: 'cap', permitted: true } : { backend: 'cap', permitted: false, reason: 'no read/write access to /dev/bpf*' };
  }
  if (platform === 'win32') {
    const root = process.env.SystemRoot ?? 'C:\\Windows';
    const ok = existsSync(join(root, 'System32', 'Npcap', 'wpcap.dll'));
    return ok ? { backend: 'cap', permitted: true } : { backend: 'cap', permitted: false, reason: 'Npcap is not installed' };
  }
  return { backend: 'cap', permitted: isRoot(), reason: isRoot() ? undefined : 'not running as root' };
}

function macBpfDevices(): string[] {
  try { return readdirSync('/dev').filter((n) => /^bpf\d+$/.test(n)).map((n) => '/dev/' + n); } catch { return []; }
}

/** What to do to allow capture, for the user's OS. */
export function permissionFix(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'linux') {
    return [
      'Capture needs the CAP_NET_RAW and CAP_NET_ADMIN capabilities. Either:',
      '  - let dbwire use dumpcap (Wireshark\'s small capture helper), granted to the "wireshark" group:',
      '      sudo apt-get install wireshark-common   # or: tshark',
      '      sudo dpkg-reconfigure wireshark-common  # answer Yes: non-superusers may capture',
      '      sudo usermod -aG wireshark $USER        # then log out and back in',
      '    (the dbwire .deb does this on install; elsewhere: sudo setcap cap_net_raw,cap_net_admin=eip "$(command -v dumpcap)")',
      '  - or run the capture as root (sudo dbwire capture ...).',
      'Never give the capability to the Electron/dbwire binary itself.',
    ].join('\n');
  }
  if (platform === 'darwin') {
    return [
      'Capture needs read/write access to the /dev/bpf* devices. Either:',
      '  - install Wireshark\'s "ChmodBPF" package (Wireshark.app → Install ChmodBPF.pkg), which gives the',
      '    "access_bpf" group access at every boot, and add yourself: sudo dseditgroup -o edit -a $USER -t user access_bpf',
      '  - or for this boot only: sudo chgrp admin /dev/bpf* && sudo chmod g+rw /dev/bpf*',
    ].join('\n');
  }
  if (platform === 'win32') {
    return [
      'Capture needs Npcap (https://npcap.com). Install it with "WinPcap API-compatible mode" checked and',
      '"Restrict Npcap driver\'s access to Administrators only" unchecked, then restart dbwire.',
    ].join('\n');
  }
  return 'Run the capture as root, or give a capture helper the rights your OS needs to open packet capture devices.';
}

export function whoAmI(): string {
  const uid = typeof process.geteuid === 'function' ? process.geteuid() : null;
  let user = process.env.USER ?? '';
  try {
    if (uid !== null) {
      const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[2] === String(uid));
      if (line) user = line.split(':')[0]!;
    }
  } catch { /* not on Unix */ }
  return uid === null ? user || 'this user' : `${user || 'uid'} (uid ${uid})`;
}

/** The message shown when no backend may capture. */
export function notPermittedMessage(iface: string, checks: readonly PermissionCheck[], platform: NodeJS.Platform = process.platform): string {
  const why = checks.filter((c) => !c.permitted && c.reason).map((c) => `  ${c.backend}: ${c.reason}`).join('\n');
  return `no permission to capture on "${iface}" as ${whoAmI()}.\n${why ? why + '\n' : ''}${permissionFix(platform)}`;
}

/** True if a libpcap / tool error text means "not permitted". */
export function isPermissionError(text: string): boolean {
  return /permission|not permitted|EPERM|EACCES|You don't have permission|Operation not permitted/i.test(text);
}
