#!/usr/bin/env node
// Entry point of the `dbwire` command. Runs the TypeScript sources as one esbuild bundle, built
// on first use and whenever a source changes (bundle-cache.mjs), so the command works right after
// `npm install` with no build step. DBWIRE_TSX=1 (or a failed build) runs them through tsx instead.
import { fileURLToPath } from 'node:url';
import { bundledEntry } from './bundle-cache.mjs';

const entry = fileURLToPath(new URL('./main.ts', import.meta.url));
let url = null;
if (process.env.DBWIRE_TSX !== '1') url = await bundledEntry(entry).catch(() => null);
if (!url) {
  const { register } = await import('tsx/esm/api');
  register();
  url = new URL('./main.ts', import.meta.url);
}
const { main } = await import(url.href);
process.exitCode = await main(process.argv.slice(2));
