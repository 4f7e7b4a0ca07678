import { describe, expect, it } from 'vitest';
import { buildMenuTemplate, type MenuItemConstructorOptions } from '../../../electron/app/menu';
import type { MenuCommand } from '../../../shared/api/shell';

function labels(items: readonly MenuItemConstructorOptions[]): string[] {
  return items.filter((i) => i.type !== 'separator').map((i) => i.label ?? `role:${i.role}`);
}

describe('the application menu', () => {
  const sent: MenuCommand[] = [];
  const opened: string[] = [];
  const template = buildMenuTemplate({
    isMac: false, recent: ['/a.pcap', '/b.pcapng'],
    open: () => opened.push('dialog'), openRecent: (p) => opened.push(p), clearRecent: () => {},
    command: (c) => sent.push(c), restartEngine: () => {}, about: () => {},
  });
  const menu = (label: string) => template.find((m) => m.label === label || m.role === label)!.submenu as MenuItemConstructorOptions[];

  it('has File, Capture, View, Window and Help', () => {
    expect(labels(template)).toEqual(['&File', '&Capture', '&View', 'role:windowMenu', 'role:help']);
  });

  it('File: Open, Open Recent (with the files), Save capture, Export packets, Quit', () => {
    expect(labels(menu('&File'))).toEqual(['Open…', 'Open Recent', 'Save Capture…', 'Export Packets…', 'role:quit']);
    const recent = menu('&File')[1]!.submenu as MenuItemConstructorOptions[];
    expect(labels(recent)).toEqual(['/a.pcap', '/b.pcapng', 'Clear Recent']);
    (recent[1]!.click as () => void)();
    expect(opened).toEqual(['/b.pcapng']);
  });

  it('Capture: Interfaces, Start, Stop, Restart, sent to the renderer as commands', () => {
    const items = menu('&Capture');
    expect(labels(items)).toEqual(['Interfaces…', 'Start', 'Stop', 'Restart']);
    for (const i of items) (i.click as () => void)();
    expect(sent).toEqual(['capture-interfaces', 'capture-start', 'capture-stop', 'capture-restart']);
  });

  it('Help shows the versions', () => {
    expect(labels(menu('help'))).toEqual(['About dbwire (versions)']);
  });
});
