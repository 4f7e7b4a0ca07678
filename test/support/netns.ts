/**
 * A private network namespace for scenario tests: its own loopback and its own iptables, so
 * firewall rules (drops, resets, loss) touch nothing outside the test. Traffic stays on the
 * namespace's 127.0.0.1.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

let counter = 0;

export class Netns {
  readonly name: string;
  private readonly children: ChildProcess[] = [];

  private constructor(name: string) {
    this.name = name;
  }

  static create(): Netns {
    if (process.getuid?.() !== 0) throw new Error('network namespaces need root: run the tests as root (CI does)');
    const name = `dbw-${process.pid}-${++counter}`;
    try {
      execFileSync('ip', ['netns', 'add', name], { stdio: 'pipe' });
    } catch (e) {
      throw new Error(`cannot create a network namespace (install iproute2: apt-get install iproute2): ${(e as Error).message}`);
    }
    const ns = new Netns(name);
    ns.run('ip', ['link', 'set', 'lo', 'up']);
    return ns;
  }

  /** Run a command in the namespace and wait for it; throws with its stderr on failure. */
  run(cmd: string, args: readonly string[]): string {
    return execFileSync('ip', ['netns', 'exec', this.name, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  }

  /** Add an iptables rule, e.g. ['-A', 'INPUT', '-p', 'tcp', '--dport', '5000', '-j', 'DROP']. */
  iptables(rule: readonly string[]): void {
    try {
      this.run('iptables', rule);
    } catch (e) {
      throw new Error(`iptables ${rule.join(' ')} failed (install iptables): ${(e as Error).message}`);
    }
  }

  /** Start a long-running process in the namespace (stopped by destroy()). */
  spawn(cmd: string, args: readonly string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.name, cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.children.push(child);
    return child;
  }

  destroy(): void {
    for (const c of this.children) if (c.exitCode === null) c.kill('SIGKILL');
    try { execFileSync('ip', ['netns', 'del', this.name], { stdio: 'pipe' }); } catch { /* already gone */ }
  }
}
