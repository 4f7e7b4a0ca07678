import { describe, expect, it } from 'vitest';
import { ApiClient } from '../../../shared/api/client';
import { API_METHODS } from '../../../shared/api/types';
import { buildExposedApi, buildExposedShell, describePreloadSurface } from '../../../electron/app/preload-api';
import { SHELL_CALLS, checkShellArgs } from '../../../electron/app/ipc-channels';

describe('the preload API surface', () => {
  it('is exactly this (a new method or channel shows up here in review)', () => {
    expect(describePreloadSurface()).toMatchSnapshot();
  });

  it('window.dbwire has exactly the DbwireApi methods and forwards to the client', async () => {
    const client = new ApiClient();
    client.close(); // not connected: calls fail with the client's own error, proving they reach it
    const exposed = buildExposedApi(client);
    expect(Object.keys(exposed).sort()).toEqual([...API_METHODS, 'onEvent'].sort());
    expect(Object.isFrozen(exposed)).toBe(true);
    await expect(exposed.rows('s', 0, 10)).rejects.toMatchObject({ code: 'engine-stopped', method: 'rows' });
  });

  it('window.dbwireShell has exactly the shell calls, each on its own channel', async () => {
    const seen: [string, unknown[]][] = [];
    const shell = buildExposedShell({
      invoke: async (call, args) => { seen.push([call, [...args]]); return null; },
      pathForFile: () => '/dropped.pcap',
      onShellEvent: () => () => {},
    });
    expect(Object.keys(shell).sort()).toEqual(['kind', 'pathForFile', 'onShellEvent', ...Object.keys(SHELL_CALLS)].sort());
    await shell.chooseSavePath('export', 'x.pcapng');
    await shell.addRecentFile('/a.pcap');
    expect(seen).toEqual([['chooseSavePath', ['export', 'x.pcapng']], ['addRecentFile', ['/a.pcap']]]);
    expect(new Set(Object.values(SHELL_CALLS).map((c) => c.channel)).size).toBe(Object.keys(SHELL_CALLS).length);
  });

  it('the main process refuses malformed shell arguments', () => {
    expect(checkShellArgs('chooseSavePath', ['export', 'a.pcap'])).toBeNull();
    expect(checkShellArgs('chooseSavePath', ['delete', 'a.pcap'])).toMatch(/kind/);
    expect(checkShellArgs('chooseSavePath', ['export', '../../etc/passwd'])).toMatch(/suggestedName/);
    expect(checkShellArgs('addRecentFile', [''])).toMatch(/path/);
    expect(checkShellArgs('versions', [1])).toMatch(/takes 0/);
  });
});
