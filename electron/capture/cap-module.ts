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

/** libpcap's counters (pcap_stats). */
export interface CapStats { readonly received: number; readonly dropped: number; readonly ifDropped: number }

export interface CapOpenOptions {
  /** Deliver each packet at once (libpcap immediate mode); false packs packets into ring blocks. */
  readonly immediate: boolean;
  /** libpcap's read timeout; in block mode, how long a partly filled block waits before delivery. */
  readonly timeoutMs: number;
}

/** cap as patched by build/cap-patch.mjs: open() options, kernel timestamps, wire length, stats(). */
export interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer, options: CapOpenOptions): string;
  close(): void;
  stats(): CapStats;
  on(event: 'packet', listener: (nbytes: number, truncated: boolean, tsSec: number, tsNsec: number, wireLength: number) => void): this;
  removeAllListeners(event?: string): this;
}

export interface CapModule {
  readonly Cap: { new (): CapHandle; readonly prototype: object; deviceList(): CapDevice[] };
}

let loaded: CapModule | null = null;
let loadError: string | null = null;

export const CAP_INSTALL_HINT =
  'the "cap" capture module is not built: install libpcap-dev (Debian/Ubuntu: sudo apt-get install libpcap-dev) and run "node build/cap-patch.mjs --strict"';

/** The module, or null with `capLoadError()` saying why. */
export function tryLoadCap(): CapModule | null {
  if (loaded || loadError) return loaded;
  try {
    const m = createRequire(import.meta.url)('cap') as CapModule;
    // Stock cap lacks what the backend needs (timestamps, block mode, drop counters).
    if (typeof (m.Cap.prototype as Partial<CapHandle>).stats !== 'function') loadError = `${CAP_INSTALL_HINT} (the installed build is not patched)`;
    else loaded = m;
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
