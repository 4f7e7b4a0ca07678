/**
 * PostgreSQL fields, named and typed as Wireshark's packet-pgsql.c (tshark 4.0). A few fields from
 * newer Wireshark releases (request code, SSL/GSSAPI encryption answers) are included because
 * they make the pre-startup negotiation filterable.
 */
import { defineProtocol, f } from './types';

/** Every value pgsql.type takes (Wireshark's strings), for filter completion. */
export const PGSQL_TYPE_STRINGS = [
  'Startup message', 'SSL request', 'GSS encrypt request', 'Cancel request', 'Unknown',
  'Password message', 'SASLInitialResponse message', 'SASLResponse message', 'GSSResponse message',
  'Simple query', 'Parse', 'Bind', 'Execute', 'Describe', 'Close', 'Flush', 'Sync', 'Function call',
  'Copy data', 'Copy completion', 'Copy failure', 'Termination',
  'Authentication request', 'Backend key data', 'Parameter status', 'Parse completion',
  'Bind completion', 'Close completion', 'Command completion', 'Parameter description',
  'Row description', 'Data row', 'Empty query', 'No data', 'Error', 'Notice', 'Portal suspended',
  'Ready for query', 'Notification', 'Function call response', 'CopyIn response', 'CopyOut response',
  'CopyBoth response', 'Negotiate protocol version', 'SSL response', 'GSS encrypt response',
] as const;

export const PGSQL_AUTH_TYPES: Record<number, string> = {
  0: 'Success', 1: 'Kerberos V4', 2: 'Kerberos V5', 3: 'Plaintext password', 4: 'crypt()ed password',
  5: 'MD5 password', 6: 'SCM credentials', 7: 'GSSAPI', 8: 'GSSAPI/SSPI continue', 9: 'SSPI',
  10: 'SASL', 11: 'SASL continue', 12: 'SASL complete',
};

export const PGSQL_STATUS_VALUES: Record<number, string> = {
  0x49: 'Idle', 0x54: 'In a transaction', 0x45: 'In a failed transaction',
};

export const PGSQL_FORMAT_VALUES: Record<number, string> = { 0: 'Text', 1: 'Binary' };

export const PGSQL_REQUEST_CODES: Record<number, string> = {
  80877102: 'CancelRequest', 80877103: 'SSLRequest', 80877104: 'GSSENCRequest',
};

export const PGSQL = defineProtocol('pgsql', 'PostgreSQL', 'PGSQL', {
  frontend: f.bool('pgsql.frontend', 'Frontend'),
  type: f.str('pgsql.type', 'Type', PGSQL_TYPE_STRINGS),
  length: f.uint('pgsql.length', 'Length'),
  versionMajor: f.uint('pgsql.version_major', 'Protocol major version', 16),
  versionMinor: f.uint('pgsql.version_minor', 'Protocol minor version', 16),
  requestCode: f.uint('pgsql.request_code', 'Request code', 32, 'dec', PGSQL_REQUEST_CODES),
  supportedMinor: f.uint('pgsql.version_supported_minor', 'Supported minor version'),
  nonsupportedCount: f.int('pgsql.number_nonsupported_options', 'Number nonsupported options'),
  nonsupportedOption: f.str('pgsql.nonsupported_option', 'Nonsupported option'),
  parameterName: f.str('pgsql.parameter_name', 'Parameter name'),
  parameterValue: f.str('pgsql.parameter_value', 'Parameter value'),
  query: f.str('pgsql.query', 'Query'),
  password: f.str('pgsql.password', 'Password'),
  authtype: f.uint('pgsql.authtype', 'Authentication type', 32, 'dec', PGSQL_AUTH_TYPES),
  salt: f.bytes('pgsql.salt', 'Salt value'),
  gssapiData: f.bytes('pgsql.auth.gssapi_sspi.data', 'GSSAPI or SSPI data'),
  saslMech: f.str('pgsql.auth.sasl.mech', 'SASL authentication mechanism'),
  saslDataLength: f.int('pgsql.auth.sasl.data.length', 'SASL authentication data length'),
  saslData: f.bytes('pgsql.auth.sasl.data', 'SASL authentication data'),
  statement: f.str('pgsql.statement', 'Statement'),
  portal: f.str('pgsql.portal', 'Portal'),
  returns: f.uint('pgsql.returns', 'Returns'),
  tag: f.str('pgsql.tag', 'Tag'),
  status: f.uint('pgsql.status', 'Status', 8, 'dec', PGSQL_STATUS_VALUES),
  copydata: f.bytes('pgsql.copydata', 'Copy data'),
  error: f.str('pgsql.error', 'Error'),
  pid: f.uint('pgsql.pid', 'PID'),
  key: f.uint('pgsql.key', 'Key'),
  condition: f.str('pgsql.condition', 'Condition'),
  text: f.str('pgsql.text', 'Text'),
  tableOid: f.uint('pgsql.oid.table', 'Table OID'),
  typeOid: f.uint('pgsql.oid.type', 'Type OID'),
  oid: f.uint('pgsql.oid', 'OID'),
  format: f.uint('pgsql.format', 'Format', 16, 'dec', PGSQL_FORMAT_VALUES),
  fieldCount: f.uint('pgsql.field.count', 'Field count', 16),
  colName: f.str('pgsql.col.name', 'Column name'),
  colIndex: f.uint('pgsql.col.index', 'Column index'),
  valLength: f.int('pgsql.val.length', 'Column length'),
  valData: f.bytes('pgsql.val.data', 'Data'),
  colTypemod: f.int('pgsql.col.typemod', 'Type modifier'),
  severity: f.str('pgsql.severity', 'Severity'),
  code: f.str('pgsql.code', 'Code'),
  message: f.str('pgsql.message', 'Message'),
  detail: f.str('pgsql.detail', 'Detail'),
  hint: f.str('pgsql.hint', 'Hint'),
  position: f.str('pgsql.position', 'Position'),
  internalPosition: f.str('pgsql.internal_position', 'Position (Internal)'),
  internalQuery: f.str('pgsql.internal_query', 'Query (Internal)'),
  where: f.str('pgsql.where', 'Context'),
  schemaName: f.str('pgsql.schema_name', 'Schema'),
  tableName: f.str('pgsql.table_name', 'Table'),
  columnName: f.str('pgsql.column_name', 'Column'),
  typeName: f.str('pgsql.type_name', 'Type'),
  constraintName: f.str('pgsql.constraint_name', 'Constraint'),
  file: f.str('pgsql.file', 'File'),
  line: f.str('pgsql.line', 'Line'),
  routine: f.str('pgsql.routine', 'Routine'),
  sslResponse: { ...f.char('pgsql.ssl_response', 'SSL Response'), base: 'hex' as const },
  gssencResponse: { ...f.char('pgsql.gssenc_response', 'GSSAPI Encrypt Response'), base: 'hex' as const },
});
