/** TLS record layer only: enough to show an upgraded DB connection's encrypted records. */
import { defineProtocol, f } from './types';

export const TLS_CONTENT_TYPES: Record<number, string> = {
  20: 'Change Cipher Spec', 21: 'Alert', 22: 'Handshake', 23: 'Application Data', 24: 'Heartbeat',
};

export const TLS = defineProtocol('tls', 'Transport Layer Security', 'TLS', {
  record: f.none('tls.record', 'Record Layer'),
  contentType: f.uint('tls.record.content_type', 'Content Type', 8, 'dec', TLS_CONTENT_TYPES),
  version: f.uint('tls.record.version', 'Version', 16, 'hex', { 0x0300: 'SSL 3.0', 0x0301: 'TLS 1.0', 0x0302: 'TLS 1.1', 0x0303: 'TLS 1.2', 0x0304: 'TLS 1.3' }),
  length: f.uint('tls.record.length', 'Length', 16),
  appData: f.bytes('tls.app_data', 'Encrypted Application Data'),
});
