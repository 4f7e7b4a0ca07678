/** Tabular Data Stream (MS SQL Server / Sybase) decoder; the implementation lives in ./tds/. */
export { tdsDissector } from './tds/dissector';
export { setShowSecrets } from './tds/login';
