/**
 * The packaged app as electron-builder lays it out (`--dir`, Linux), built here without the
 * Electron binary: electron-builder is given a stand-in Electron distribution (a file carrying
 * Electron's fuse wire where the binary would be), which it only copies and the afterPack hook
 * only flips fuses in; nothing is executed. Native modules are not rebuilt (that needs internet).
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import asar from '@electron/asar';
import { getCurrentFuseWire, FuseV1Options } from '@electron/fuses';
import { repoRoot, testOutputPath } from '../../support/paths';

const run = promisify(execFile);
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const work = testOutputPath(`pack-${process.pid}`);
const unpacked = join(work, 'dist/linux-unpacked');
const resources = join(unpacked, 'resources');
let files: string[] = [];

beforeAll(async () => {
  rmSync(work, { recursive: true, force: true });
  const electronDist = join(work, 'electron-dist');
  mkdirSync(join(electronDist, 'resources'), { recursive: true });
  // Electron 45's fuse wire as shipped: version 1, 8 fuses, RunAsNode/NodeOptions/inspect/file-privileges on.
  writeFileSync(join(electronDist, 'electron'), Buffer.concat([Buffer.from('stand-in, never run\n'), Buffer.from(SENTINEL), Buffer.from([1, 8]), Buffer.from('10110001')]));
  chmodSync(join(electronDist, 'electron'), 0o755);
  writeFileSync(join(electronDist, 'LICENSE'), 'stand-in');
  writeFileSync(join(electronDist, 'version'), '45.4.1');
  await run('npm', ['run', 'build'], { cwd: repoRoot, maxBuffer: 16 << 20 });
  await run(join(repoRoot, 'node_modules/.bin/electron-builder'), [
    '--dir', '--linux', '--config', 'build/electron-builder.yml',
    `-c.directories.output=${join(work, 'dist')}`, '-c.npmRebuild=false', `-c.electronDist=${electronDist}`,
  ], { cwd: repoRoot, maxBuffer: 16 << 20, env: { ...process.env, CI: 'true' } });
  files = asar.listPackage(join(resources, 'app.asar'), { isPack: false }).map((f) => f.replaceAll('\\', '/'));
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packaged app (electron-builder --dir, Linux)', () => {
  it('has the bundled main and preload, the built renderer and the engine sources', () => {
    expect(files).toEqual(expect.arrayContaining([
      '/package.json', '/out/app/main.mjs', '/out/app/preload.cjs', '/out/renderer/index.html',
      '/electron/app/engine-entry.mjs', '/electron/app/engine-process.ts', '/electron/host/endpoint.ts',
      '/shared/api/types.ts', '/node_modules/ws/package.json', '/node_modules/tsx/package.json', '/node_modules/fzstd/package.json',
    ]));
    const pkg = JSON.parse(asar.extractFile(join(resources, 'app.asar'), 'package.json').toString()) as { main: string };
    expect(pkg.main).toBe('out/app/main.mjs');
  });

  it('ships no tests, source maps, renderer sources or dev tools', () => {
    expect(files.filter((f) => f.startsWith('/test/') || /\.test\.ts$/.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('/renderer/'))).toEqual([]);
    for (const dev of ['vitest', 'electron', 'electron-builder', 'typescript', 'mysql2', 'pg', 'svelte', 'vite']) {
      expect(files, dev).not.toContain(`/node_modules/${dev}`);
    }
  });

  it('unpacks the native capture module and the esbuild binary beside the asar', () => {
    expect(existsSync(join(resources, 'app.asar.unpacked/node_modules/cap/build/Release/cap.node'))).toBe(true);
    expect(existsSync(join(resources, 'app.asar.unpacked/node_modules/@esbuild/linux-x64/bin/esbuild'))).toBe(true);
  });

  it('flips the fuses in the app binary (afterPack)', async () => {
    const exe = join(unpacked, 'dbwire-app');
    expect(readFileSync(exe).includes(SENTINEL)).toBe(true);
    const wire = await getCurrentFuseWire(exe);
    const on = (o: FuseV1Options) => wire[o] === '1'.charCodeAt(0);
    expect(on(FuseV1Options.RunAsNode)).toBe(false);
    expect(on(FuseV1Options.EnableNodeOptionsEnvironmentVariable)).toBe(false);
    expect(on(FuseV1Options.EnableNodeCliInspectArguments)).toBe(false);
    expect(on(FuseV1Options.EnableEmbeddedAsarIntegrityValidation)).toBe(true);
    expect(on(FuseV1Options.OnlyLoadAppFromAsar)).toBe(true);
    expect(on(FuseV1Options.GrantFileProtocolExtraPrivileges)).toBe(false);
  });
});
