/**
 * Loads the optional `cap` native module (libpcap binding). It is an optionalDependency built
 * with node-gyp against libpcap-dev, so it may be missing; callers get a clear reason instead.
 */
import { createRequire } from 'node:module';

export interface CapDevice {
  readonly name: string;
  readonly description?: string;
  readonly addresses: readonly { readonly addr?: string; readonly netmask?: string; readonly broadaddr?: string }[];
  readonly flags?: string;
}

export interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): void;
  on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): this;
  removeAllListeners(event?: string): this;
}

export interface CapModule {
  readonly Cap: { new (): CapHandle; deviceList(): CapDevice[] };
}

let loaded: CapModule | null = null;
let loadError: string | null = null;

export const CAP_INSTALL_HINT =
  'the "cap" capture module is not built: install libpcap-dev (Debian/Ubuntu: sudo apt-get install libpcap-dev) and run "npm rebuild cap"';

/** The module, or null with `capLoadError()` saying why. */
export function tryLoadCap(): CapModule | null {
  if (loaded || loadError) return loaded;
  try {
    loaded = createRequire(import.meta.url)('cap') as CapModule;
  } catch (e) {
    loadError = `${CAP_INSTALL_HINT} (${(e as Error).message.split('\n')[0]})`;
  }
  return loaded;
}

export function capLoadError(): string | null {
  tryLoadCap();
  return loadError;
}

/** cap's link-type names → pcap LINKTYPE_ values. */
export function capLinkType(name: string): number | null {
  switch (name) {
    case 'ETHERNET': return 1;
    case 'NULL': return 0;
    case 'RAW': return 101;
    case 'LINKTYPE_LINUX_SLL': return 113;
    case 'IEEE802_11_RADIO': return 127;
    default: {
      const m = /Unknown linktype (\d+)/.exec(name);
      return m ? Number(m[1]) : null;
    }
  }
}
