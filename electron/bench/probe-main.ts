/** The benchmark probe run in a child process (see probe-main.mjs): prints its result as one JSON line. */
import { probe } from './probe';

probe(process.argv[2]!, process.argv[3]!).then(
  (r) => { process.stdout.write(JSON.stringify(r) + '\n'); process.exit(0); },
  (e: unknown) => { process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`); process.exit(1); },
);
