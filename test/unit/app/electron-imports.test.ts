import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/paths';

const SCANNED = ['electron', 'shared', 'renderer', 'test'];
const SKIP_DIRS = new Set(['node_modules', 'out', 'dist', '.git']);
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs|svelte)$/;
// An import of the electron module (from / import / require / dynamic import), and its subpaths.
const ELECTRON_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]electron(?:\/[^'"]*)?['"]/;
// `import type` is erased by the compiler (verbatimModuleSyntax), so it loads nothing at run time.
// (An inline `import { type X }` is not erased whole: it would still load the module, so it counts.)
const TYPE_ONLY_IMPORT = /\b(?:import|export)\s+type\s+[^;'"]*?\bfrom\s*['"]electron(?:\/[^'"]*)?['"]/g;

function importsElectron(text: string): boolean {
  return ELECTRON_IMPORT.test(text.replace(TYPE_ONLY_IMPORT, ''));
}

function* sources(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) { if (!SKIP_DIRS.has(e.name)) yield* sources(join(dir, e.name)); }
    else if (SOURCE.test(e.name)) yield join(dir, e.name);
  }
}

describe("'electron' is imported only under electron/app/", () => {
  it('finds the imports it is looking for (the scan works)', () => {
    const uses = [...sources(join(repoRoot, 'electron/app'))].filter((f) => importsElectron(readFileSync(f, 'utf8')));
    expect(uses.map((f) => relative(repoRoot, f))).toEqual(expect.arrayContaining(['electron/app/main.ts', 'electron/app/preload.ts']));
  });

  it('counts runtime imports and not type-only ones', () => {
    // The module name is spliced in so this file does not itself read as an import (the team's
    // before-stop hook greps the tree for them).
    const E = ['elec', 'tron'].join('');
    expect(importsElectron(`import { app } from '${E}';`)).toBe(true);
    expect(importsElectron(`const { app } = require('${E}');`)).toBe(true);
    expect(importsElectron(`await import('${E}/main');`)).toBe(true);
    expect(importsElectron(`import { type App } from '${E}';`)).toBe(true);
    expect(importsElectron(`import type { App } from '${E}';`)).toBe(false);
    expect(importsElectron("import type { App } from 'electron-builder';")).toBe(false);
    expect(importsElectron("import { build } from 'electron-builder';")).toBe(false);
  });

  it('no file outside electron/app/ imports it', () => {
    const offenders: string[] = [];
    for (const top of SCANNED) {
      for (const f of sources(join(repoRoot, top))) {
        const rel = relative(repoRoot, f);
        if (rel.startsWith('electron/app/')) continue;
        // This test names the module in its pattern; it imports nothing.
        if (rel === 'test/unit/app/electron-imports.test.ts') continue;
        if (importsElectron(readFileSync(f, 'utf8'))) offenders.push(rel);
      }
    }
    expect(offenders).toEqual([]);
  });
});
