/**
 * The interface picker's data: libpcap's device list (through `cap`), with link flags from
 * /sys/class/net on Linux and whether this process may capture.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { CaptureInterfaceInfo } from '../../shared/api/types';
import { tryLoadCap, capLoadError, type CapDevice } from './cap-module';
import { checkPermissions, notPermittedMessage } from './permission';
import { CaptureFailure } from './failure';

const IFF_UP = 0x1, IFF_LOOPBACK = 0x8, IFF_RUNNING = 0x40;

function sysFlags(name: string): number | null {
  if (process.platform !== 'linux' || name.includes('/')) return null;
  try { return parseInt(readFileSync(`/sys/class/net/${name}/flags`, 'utf8').trim(), 16); } catch { return null; }
}

function isWireless(name: string): boolean {
  return process.platform === 'linux' && !name.includes('/') && (existsSync(`/sys/class/net/${name}/wireless`) || existsSync(`/sys/class/net/${name}/phy80211`));
}

export function describeDevice(d: CapDevice, permitted: boolean, fix: string | undefined): CaptureInterfaceInfo {
  const flags = sysFlags(d.name);
  const loopback = d.flags === 'PCAP_IF_LOOPBACK' || (flags !== null && (flags & IFF_LOOPBACK) !== 0);
  // Pseudo-devices (any, nflog, dbus-...) have no kernel link: they are always "up".
  const up = flags === null ? true : (flags & IFF_UP) !== 0;
  const running = flags === null ? true : (flags & IFF_RUNNING) !== 0;
  return {
    name: d.name, description: d.description, addresses: d.addresses.flatMap((a) => (a.addr ? [a.addr] : [])),
    loopback, up, running, wireless: isWireless(d.name), permitted, fix: permitted ? undefined : fix,
  };
}

/** Every capture device, in libpcap's order (the order `tshark -D` uses). */
export function listInterfaces(): CaptureInterfaceInfo[] {
  const cap = tryLoadCap();
  if (!cap) throw new CaptureFailure('missing-tool', capLoadError() ?? 'cap is not available');
  const checks = checkPermissions();
  const permitted = checks.some((c) => c.permitted);
  const devices = cap.Cap.deviceList();
  return devices.map((d) => describeDevice(d, permitted, permitted ? undefined : notPermittedMessage(d.name, checks)));
}

/** One `tshark -D` style line: "3. lo (Loopback)". */
export function interfaceLine(i: number, ifc: CaptureInterfaceInfo): string {
  return `${i + 1}. ${ifc.name}${ifc.loopback ? ' (Loopback)' : ''}`;
}
