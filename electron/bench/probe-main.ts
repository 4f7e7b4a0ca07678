/** Child-process entry of the benchmark: `node --import tsx electron/bench/probe-main.ts FILE OUTDIR`. */
import { probe } from './probe';

probe(process.argv[2]!, process.argv[3]!).then(
  (r) => { process.stdout.write(JSON.stringify(r) + '\n'); process.exit(0); },
  (e: unknown) => { process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`); process.exit(1); },
);
