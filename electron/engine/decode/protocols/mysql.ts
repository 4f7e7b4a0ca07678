/** MySQL / MariaDB protocol decoder; the implementation lives in ./mysql/. */
export { mysqlDissector } from './mysql/dissector';
export { setShowSecrets } from './mysql/items';
export type { MysqlState } from './mysql/state';
