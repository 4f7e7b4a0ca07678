/** Runs the real `dbwire` command (the bin entry, through tsx) and collects its output. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths';

export interface CliResult { code: number; stdout: string; stderr: string }

export function dbwire(args: readonly string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'electron/cli/dbwire.mjs'), ...args], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [], err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`dbwire ${args.join(' ')} timed out`)); }, opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.end(opts.input ?? '');
  });
}
