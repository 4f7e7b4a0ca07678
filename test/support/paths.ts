// Where test artefacts go: test-output/ at the repo root (git-ignored).
import { mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot: string = fileURLToPath(new URL('../..', import.meta.url));

/** test-output/ (created on demand), or a path inside it; absolute paths are returned as-is. */
export function testOutputPath(...parts: string[]): string {
  const dir = join(repoRoot, 'test-output');
  mkdirSync(dir, { recursive: true });
  if (parts.length === 1 && isAbsolute(parts[0]!)) return parts[0]!;
  return resolve(dir, ...parts);
}
