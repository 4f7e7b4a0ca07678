/**
 * Which local process owns a TCP endpoint (Linux): /proc/net/tcp{,6} map endpoints to socket
 * inodes, /proc/PID/fd links map inodes to processes — the `ss -tanp` column without running ss.
 * Owners are remembered for a while after the socket is gone, so a short connection seen in an
 * earlier refresh is still attributed when its packets are decoded.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { endianness } from 'node:os';

export interface ProcessOwner {
  readonly pid: number;
  /** The command name (/proc/PID/comm), as ss shows it. */
  readonly name: string;
}

/** One row of /proc/net/tcp{,6}: local endpoint key ("4:127.0.0.1:3306") and socket inode. */
export interface SocketRow {
  readonly local: string;
  readonly inode: number;
}

const LITTLE = endianness() === 'LE';

/** Kernel hex address (32-bit words in host byte order) → address key ("4:1.2.3.4" / "6:::1"). */
export function procAddrKey(hex: string, little = LITTLE): string | null {
  const words: number[] = [];
  for (let i = 0; i + 8 <= hex.length; i += 8) {
    const w = parseInt(hex.slice(i, i + 8), 16);
    words.push(little ? (((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24)) >>> 0 : w);
  }
  const bytes = words.flatMap((w) => [w >>> 24, (w >>> 16) & 0xff, (w >>> 8) & 0xff, w & 0xff]);
  if (bytes.length === 4) return '4:' + bytes.join('.');
  if (bytes.length !== 16) return null;
  // IPv4-mapped (::ffff:a.b.c.d): the packets carry IPv4.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return '4:' + bytes.slice(12).join('.');
  return '6:' + ipv6Text(bytes);
}

function ipv6Text(b: number[]): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i]! << 8) | b[i + 1]!);
  // Longest run of zero groups (length ≥ 2) becomes "::" (RFC 5952).
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i; }
    i = j;
  }
  const h = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  return best < 0 ? h(g) : `${h(g.slice(0, best))}::${h(g.slice(best + bestLen))}`;
}

/** Parses /proc/net/tcp or tcp6 text. */
export function parseProcNetTcp(text: string, little = LITTLE): SocketRow[] {
  const rows: SocketRow[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [addr, port] = f[1]!.split(':');
    const key = procAddrKey(addr ?? '', little);
    const inode = Number(f[9]);
    if (!key || !port || !inode) continue;
    rows.push({ local: `${key}:${parseInt(port, 16)}`, inode });
  }
  return rows;
}

const REMEMBER_MS = 120_000;
const MAX_REMEMBERED = 65536;

export class ProcessMap {
  /** endpoint key → owner and when it was last seen. */
  private readonly owners = new Map<string, { owner: ProcessOwner; seen: number }>();
  private readonly inodeOwner = new Map<number, ProcessOwner>();
  private lastPrune = 0;
  /** Sockets no visible process owned at the last scan (another user's, or a closing socket). */
  private readonly ownerless = new Set<number>();

  constructor(private readonly procRoot = '/proc') {}

  /** Re-reads the socket tables; scans process fds only for inodes not seen before. */
  refresh(now = Date.now()): void {
    const rows: SocketRow[] = [];
    for (const f of ['tcp', 'tcp6']) {
      try { rows.push(...parseProcNetTcp(readFileSync(`${this.procRoot}/net/${f}`, 'utf8'))); } catch { /* no IPv6 */ }
    }
    const live = new Set(rows.map((r) => r.inode));
    for (const inode of this.inodeOwner.keys()) if (!live.has(inode)) this.inodeOwner.delete(inode);
    for (const inode of this.ownerless) if (!live.has(inode)) this.ownerless.delete(inode);
    // Scan the fds only for sockets not seen before (a scan reads every process's fd table).
    if (rows.some((r) => !this.inodeOwner.has(r.inode) && !this.ownerless.has(r.inode))) {
      this.scanFds(live);
      for (const r of rows) if (!this.inodeOwner.has(r.inode)) this.ownerless.add(r.inode);
    }
    for (const r of rows) {
      const owner = this.inodeOwner.get(r.inode);
      if (owner) this.owners.set(r.local, { owner, seen: now });
    }
    if (this.owners.size > MAX_REMEMBERED || now - this.lastPrune > 10_000) {
      this.lastPrune = now;
      for (const [k, v] of this.owners) if (now - v.seen > REMEMBER_MS) this.owners.delete(k);
    }
  }

  private scanFds(wanted: ReadonlySet<number>): void {
    let pids: string[];
    try { pids = readdirSync(this.procRoot).filter((n) => /^\d+$/.test(n)); } catch { return; }
    for (const pid of pids) {
      let fds: string[];
      try { fds = readdirSync(`${this.procRoot}/${pid}/fd`); } catch { continue; } // gone, or not ours to read
      let owner: ProcessOwner | null = null;
      for (const fd of fds) {
        let link: string;
        try { link = readlinkSync(`${this.procRoot}/${pid}/fd/${fd}`); } catch { continue; }
        if (!link.startsWith('socket:[')) continue;
        const inode = Number(link.slice(8, -1));
        if (!wanted.has(inode) || this.inodeOwner.has(inode)) continue;
        owner ??= { pid: Number(pid), name: this.comm(pid) };
        this.inodeOwner.set(inode, owner);
      }
    }
  }

  private comm(pid: string): string {
    try { return readFileSync(`${this.procRoot}/${pid}/comm`, 'utf8').trim(); } catch { return ''; }
  }

  /** The owner of a local endpoint (address key as in the decoders: "4:127.0.0.1"), if known. */
  lookup(addrKey: string, port: number): ProcessOwner | undefined {
    return this.owners.get(`${addrKey}:${port}`)?.owner;
  }
}
