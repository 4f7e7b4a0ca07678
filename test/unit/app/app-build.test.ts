// What Electron loads directly, as build.mjs bundles it: the sandboxed preload must be one file
// that requires nothing but 'electron' (a sandboxed preload cannot load modules), and the main
// process one ESM file that imports only 'electron' and Node's built-ins.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, testOutputPath } from '../../support/paths';

const out = testOutputPath(`app-build-${process.pid}`);

beforeAll(async () => {
  rmSync(out, { recursive: true, force: true });
  await promisify(execFile)(process.execPath, [join(repoRoot, 'electron/app/build.mjs'), out]);
});

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the Electron bundles', () => {
  it('preload.cjs requires only electron', () => {
    const code = readFileSync(join(out, 'preload.cjs'), 'utf8');
    const required = [...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(code).not.toMatch(/\bimport\s*\(/);
    expect(code).toContain('exposeInMainWorld');
  });

  it('main.mjs imports only electron and node: built-ins', () => {
    const code = readFileSync(join(out, 'main.mjs'), 'utf8');
    const imported = [...code.matchAll(/\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]);
    expect(imported.length).toBeGreaterThan(0);
    expect(imported.filter((s) => s !== 'electron' && !s!.startsWith('node:'))).toEqual([]);
  });
});
