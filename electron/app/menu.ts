/**
 * The application menu as data (type imports only), so it is built and checked without Electron.
 * Items the renderer carries out are sent to it as MenuCommands; Open, Open Recent, About and
 * Quit are handled by the main process.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../shared/api/shell';
export type { MenuItemConstructorOptions };

export interface MenuActions {
  readonly isMac: boolean;
  readonly recent: readonly string[];
  open(): void;
  openRecent(path: string): void;
  clearRecent(): void;
  command(c: MenuCommand): void;
  restartEngine(): void;
  about(): void;
}

export function buildMenuTemplate(a: MenuActions): MenuItemConstructorOptions[] {
  const cmd = (label: string, command: MenuCommand, accelerator?: string): MenuItemConstructorOptions =>
    ({ label, click: () => a.command(command), ...(accelerator ? { accelerator } : {}) });
  const recent: MenuItemConstructorOptions[] = a.recent.length
    ? [...a.recent.map((p) => ({ label: p, click: () => a.openRecent(p) })), { type: 'separator' }, { label: 'Clear Recent', click: () => a.clearRecent() }]
    : [{ label: 'No recent files', enabled: false }];
  const template: MenuItemConstructorOptions[] = [];
  if (a.isMac) template.push({ role: 'appMenu' });
  template.push(
    {
      label: '&File',
      submenu: [
        { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => a.open() },
        { label: 'Open Recent', submenu: recent },
        { type: 'separator' },
        cmd('Save Capture…', 'save-capture', 'CmdOrCtrl+S'),
        cmd('Export Packets…', 'export-packets', 'CmdOrCtrl+Shift+E'),
        { type: 'separator' },
        a.isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: '&Capture',
      submenu: [
        cmd('Interfaces…', 'capture-interfaces', 'CmdOrCtrl+I'),
        cmd('Start', 'capture-start', 'CmdOrCtrl+E'),
        cmd('Stop', 'capture-stop', 'CmdOrCtrl+Shift+S'),
        cmd('Restart', 'capture-restart', 'CmdOrCtrl+R'),
      ],
    },
    {
      label: '&View',
      submenu: [
        cmd('Connections', 'view-connections', 'CmdOrCtrl+1'),
        cmd('Queries', 'view-queries', 'CmdOrCtrl+2'),
        cmd('Packets', 'view-packets', 'CmdOrCtrl+3'),
        cmd('Find / Display Filter', 'view-find', 'CmdOrCtrl+F'),
        { type: 'separator' },
        { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        { label: 'Restart Engine', click: () => a.restartEngine() },
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'About dbwire (versions)', click: () => a.about() }] },
  );
  return template;
}
