#!/usr/bin/env node
// Starts a TypeScript entry point (argv[2], a path relative to this folder) through tsx: how the
// capture process and the bench's traffic sender are forked (the CLI runs without a build step).
import { register } from 'tsx/esm/api';

register();
const [entry, ...rest] = process.argv.slice(2);
if (!entry || !/^[\w./-]+\.ts$/.test(entry) || entry.includes('..')) {
  process.stderr.write('run-ts: expected an entry point such as capture-process.ts\n');
  process.exit(2);
}
process.argv = [process.argv[0], new URL(entry, import.meta.url).pathname, ...rest];
await import(new URL(entry, import.meta.url).href);
