/** Picks the local backend for a capture: the one asked for, or the first that may capture. */
import { capLoadError } from './cap-module';
import { checkPermissions, notPermittedMessage, type PermissionCheck } from './permission';
import { CaptureFailure } from './failure';
import type { BackendName } from './types';

export interface BackendChoice {
  readonly backend: BackendName;
  /** Why the default was not used (for a one-line note). */
  readonly note?: string;
}

export function chooseBackend(iface: string, requested?: BackendName, checks: readonly PermissionCheck[] = checkPermissions()): BackendChoice {
  const capError = capLoadError();
  const usable = (c: PermissionCheck) => c.permitted && !(c.backend === 'cap' && capError);
  if (requested) {
    const c = checks.find((x) => x.backend === requested);
    if (requested === 'cap' && capError) throw new CaptureFailure('missing-tool', capError);
    if (!c || !c.permitted) throw new CaptureFailure('permission', notPermittedMessage(iface, checks.filter((x) => x.backend === requested)));
    return { backend: requested };
  }
  const pick = checks.find(usable);
  if (!pick) {
    if (checks.some((c) => c.permitted) && capError) throw new CaptureFailure('missing-tool', capError);
    throw new CaptureFailure('permission', notPermittedMessage(iface, checks));
  }
  const note = pick.backend === 'cap' ? undefined
    : capError ? `using ${pick.backend}: ${capError}` : `using ${pick.backend}: this process may not capture with libpcap directly`;
  return { backend: pick.backend, note };
}
