/**
 * `dbwire` subcommands. Each command module is loaded only when used, so one command's
 * dependencies (native capture, the web host) never stop the others from starting.
 */
import { UsageError } from './usage-error';

type Runner = (argv: string[]) => Promise<number>;

interface Command {
  readonly usage: string;
  readonly load: () => Promise<Runner>;
}

const COMMANDS: Record<string, Command> = {
  read: {
    usage: `read      -r FILE [-Y FILTER] [-T fields|text|json] [-e FIELD ...] [-E opt=val] [-c N] [-d tcp.port==N,PROTO] [-V]
            [-w OUT [-F pcap|pcapng]]
            decode a capture file, with tshark's options and output layout; -w exports the matching packets`,
    load: async () => (await import('./read')).runRead,
  },
  queries: {
    usage: `queries   FILE [--json] [--digest] [-d tcp.port==N,PROTO]
            every DB request with its response, latency, status and rows; --digest groups by statement`,
    load: async () => (await import('./queries')).runQueries,
  },
  conns: {
    usage: `conns     FILE [--json] [--timeline] [-d tcp.port==N,PROTO] [--idle-threshold S] [--slow-threshold S]
            one line per TCP connection: both ends' TCP state, login, queries, and a verdict in words`,
    load: async () => (await import('./conns')).runConns,
  },
  capture: {
    usage: `capture   -i IF [-f FILTER] [-w FILE] [-c N] [-a duration:S|filesize:KB] [-B MiB] [-q] [-d tcp.port==N,PROTO]
            [--backend cap|dumpcap|tcpdump] [--ssh [user@]host[:port] [--ssh-sudo] [--ssh-identity FILE]]
            live capture, decoded as it arrives; -D lists the interfaces`,
    load: async () => (await import('./capture')).runCapture,
  },
  serve: {
    usage: `serve     [--port N] [--host ADDR] [--renderer DIR] [FILE]
            the user interface and API for a browser; prints the URL (with its access token) first`,
    load: async () => (await import('./serve')).runServe,
  },
  bench: {
    usage: `bench     [--quick] [--only engine,ui,capture]
            benchmarks against tshark on the same files (npm run bench)`,
    load: async () => (await import('../bench/index')).runBench,
  },
};

const USAGE = `usage: dbwire <command> [options]\n\ncommands:\n${Object.values(COMMANDS).map((c) => '  ' + c.usage).join('\n')}\n`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    process.stdout.write(USAGE);
    return cmd === undefined ? 1 : 0;
  }
  const command = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
  if (!command) {
    process.stderr.write(`dbwire: unknown command "${cmd}"\n${USAGE}`);
    return 1;
  }
  try {
    const run = await command.load();
    return await run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`dbwire ${cmd}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
