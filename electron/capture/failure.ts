/** A capture that could not start or broke off, with what kind of problem and how to fix it. */
import type { FailureKind } from './types';

export class CaptureFailure extends Error {
  constructor(readonly kind: FailureKind, message: string, readonly fix?: string) {
    super(message);
  }
}

/** Classifies a libpcap / capture-tool error text. */
export function classifyCaptureError(text: string): FailureKind {
  if (/permission|not permitted|EPERM|EACCES|password is required|Permission denied \(publickey/i.test(text)) return 'permission';
  if (/syntax error|can't parse filter|filter expression|invalid capture filter|illegal|unknown host|parse error|not a valid|no VLAN|expression rejects all/i.test(text)) return 'filter';
  if (/No such device|doesn't exist|not exist|no suitable device|That device is not up|is not up/i.test(text)) return 'interface';
  return 'backend';
}
