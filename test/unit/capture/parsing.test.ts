// Small pure pieces of live capture: /proc/net/tcp parsing, the ssh command line, the CLI's
// options, capability bits and the per-OS permission fixes.
import { describe, expect, it } from 'vitest';
import { parseProcNetTcp, procAddrKey } from '../../../electron/capture/process-map';
import { shellQuote, sshCommand } from '../../../electron/capture/backends/stream-backend';
import { parseCaptureOptions, parseSshSpec } from '../../../electron/cli/capture';
import { effectiveCaps, hasNetAdmin, hasNetRaw, notPermittedMessage, permissionFix } from '../../../electron/capture/permission';
import { classifyCaptureError } from '../../../electron/capture/failure';
import { UsageError } from '../../../electron/cli/usage-error';

describe('/proc/net/tcp', () => {
  it('decodes addresses in host byte order, IPv6 and IPv4-mapped', () => {
    expect(procAddrKey('0100007F', true)).toBe('4:127.0.0.1');
    expect(procAddrKey('7F000001', false)).toBe('4:127.0.0.1');
    expect(procAddrKey('00000000000000000000000001000000', true)).toBe('6:::1');
    expect(procAddrKey('0000000000000000FFFF00000100007F', true)).toBe('4:127.0.0.1');
    expect(procAddrKey('B80D0120000000000000000001000000', true)).toBe('6:2001:db8::1');
  });

  it('parses rows into endpoint keys and inodes, skipping sockets without one', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 34567 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:9C40 0100007F:0CEA 06 00000000:00000000 03:00001234 00000000     0        0 0 3 0000000000000000',
    ].join('\n');
    expect(parseProcNetTcp(text, true)).toEqual([{ local: '4:127.0.0.1:3306', inode: 34567 }]);
  });
});

describe('ssh command', () => {
  it('quotes words for the remote shell', () => {
    expect(shellQuote('lo')).toBe('lo');
    expect(shellQuote('tcp port 3306')).toBe("'tcp port 3306'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  it('is key-based, never prompts, and runs tcpdump writing pcap to stdout', () => {
    const c = sshCommand({ destination: 'admin@db1', port: 2222, sudo: true, identity: '/k', options: ['UserKnownHostsFile=/kh'] }, 'eth0', 'tcp port 3306', 64);
    expect(c.args).toEqual(expect.arrayContaining(['-o', 'BatchMode=yes', '-p', '2222', '-i', '/k', 'UserKnownHostsFile=/kh']));
    expect(c.args.at(-2)).toBe('admin@db1');
    // Through a remote sh that stops tcpdump when ssh's stdin ends; tcpdump's words as its "$@".
    expect(c.args.at(-1)).toMatch(/^exec sh -c '[^']*sudo -n tcpdump -Z "\$\(id -un\)" "\$@" [^']*kill -TERM 0[^']*' dbwire-capture /);
    expect(c.args.at(-1)).toMatch(/ dbwire-capture -i eth0 -U -w - -s 262144 -B 65536 'tcp port 3306'$/);
    expect(c.stopOnEof).toBe(true);
    expect(() => sshCommand({ destination: '-oProxyCommand=x' }, 'lo', '', 1)).toThrow(/bad ssh destination/);
  });
});

describe('dbwire capture options', () => {
  it('parses the tshark-like options', () => {
    const o = parseCaptureOptions(['-i', 'lo', '-f', 'tcp port 5432', '-c', '10', '-a', 'duration:5', '-a', 'filesize:100', '-w', 'x.pcapng', '-q',
      '--backend', 'dumpcap', '-d', 'tcp.port==15432,pgsql', '--ssh', 'u@h:2022', '--ssh-sudo']);
    expect(o).toMatchObject({ iface: 'lo', filter: 'tcp port 5432', count: 10, seconds: 5, kilobytes: 100, writeFile: 'x.pcapng', quiet: true,
      backend: 'dumpcap', ssh: { destination: 'u@h', port: 2022, sudo: true } });
    expect(o.decodeAs.get(15432)).toBe('pgsql');
    expect(parseCaptureOptions(['-D']).list).toBe(true);
  });

  it('rejects what it cannot do, as usage errors', () => {
    expect(() => parseCaptureOptions([])).toThrow(UsageError);
    expect(() => parseCaptureOptions(['-i', 'lo', '-a', 'packets:3'])).toThrow(/duration:SECONDS or filesize:KB/);
    expect(() => parseCaptureOptions(['-i', 'lo', '--backend', 'pcap'])).toThrow(/cap, dumpcap or tcpdump/);
    expect(() => parseCaptureOptions(['-i', 'lo', '-c', '0'])).toThrow(/positive/);
    expect(() => parseSshSpec('h:99999')).toThrow(/invalid port/);
    expect(parseSshSpec('[::1]:22')).toEqual({ destination: '::1', port: 22 });
    expect(parseSshSpec('root@127.0.0.1')).toEqual({ destination: 'root@127.0.0.1', port: undefined });
  });
});

describe('permissions', () => {
  it('reads CAP_NET_RAW / CAP_NET_ADMIN from the effective set', () => {
    const root = effectiveCaps('Name:\tnode\nCapEff:\t000001ffffffffff\n');
    expect(hasNetRaw(root) && hasNetAdmin(root)).toBe(true);
    const raw = effectiveCaps('CapEff:\t0000000000002000\n');
    expect([hasNetRaw(raw), hasNetAdmin(raw)]).toEqual([true, false]);
    expect(hasNetRaw(effectiveCaps('CapEff:\t0000000000000000\n'))).toBe(false);
    expect(effectiveCaps('nothing here')).toBeNull();
  });

  it('gives the fix for each OS', () => {
    expect(permissionFix('linux')).toMatch(/dumpcap[\s\S]*usermod -aG wireshark[\s\S]*Never give the capability to the Electron/);
    expect(permissionFix('darwin')).toMatch(/\/dev\/bpf[\s\S]*ChmodBPF/);
    expect(permissionFix('win32')).toMatch(/Npcap/);
    expect(notPermittedMessage('eth0', [{ backend: 'cap', permitted: false, reason: 'no CAP_NET_RAW' }], 'linux'))
      .toMatch(/^no permission to capture on "eth0" as .*\n  cap: no CAP_NET_RAW\nCapture needs/);
  });

  it('classifies libpcap and tool errors', () => {
    expect(classifyCaptureError("lo: You don't have permission to perform this capture on that device (socket: Operation not permitted)")).toBe('permission');
    expect(classifyCaptureError('syntax error in filter expression')).toBe('filter');
    expect(classifyCaptureError('nosuch0: No such device exists')).toBe('interface');
    expect(classifyCaptureError('root@h: Permission denied (publickey).')).toBe('permission');
  });
});
