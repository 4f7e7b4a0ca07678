/** `dbwire` subcommands. Each returns the process exit status. */
import { runRead } from './read';
import { runQueries } from './queries';
import { runConns } from './conns';
import { runCapture, CAPTURE_USAGE } from './capture';
import { UsageError } from './usage-error';

const USAGE = `usage: dbwire <command> [options]

commands:
  read      -r FILE [-Y FILTER] [-T fields|text|json] [-e FIELD ...] [-E opt=val] [-c N] [-d tcp.port==N,PROTO] [-V]
            decode a capture file, with tshark's options and output layout
  queries   FILE [--json] [--digest] [-d tcp.port==N,PROTO]
            every DB request with its response, latency, status and rows; --digest groups by statement
  conns     FILE [--json] [--timeline] [-d tcp.port==N,PROTO] [--idle-threshold S] [--slow-threshold S]
            one line per TCP connection: both ends' TCP state, login, queries, and a verdict in words
  ${CAPTURE_USAGE}
`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'read': return await runRead(rest);
      case 'queries': return await runQueries(rest);
      case 'conns': return await runConns(rest);
      case 'capture': return await runCapture(rest);
      case undefined: case '-h': case '--help': case 'help':
        process.stdout.write(USAGE);
        return cmd === undefined ? 1 : 0;
      default:
        process.stderr.write(`dbwire: unknown command "${cmd}"\n${USAGE}`);
        return 1;
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`dbwire ${cmd}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}



