/** The DB protocol decoders, in the order content detection tries them. */
import type { TcpAppDissector } from '../app';
import { mysqlDissector } from './mysql';
import { pgsqlDissector } from './pgsql';
import { tdsDissector } from './tds';
import { memcacheDissector } from './memcache';
import { respDissector } from './resp';

export const APP_DISSECTORS: readonly TcpAppDissector<any>[] = [
  mysqlDissector, pgsqlDissector, tdsDissector, respDissector, memcacheDissector,
];

export function appDissectorByName(name: string): TcpAppDissector<any> | undefined {
  return APP_DISSECTORS.find((d) => d.proto.name === name);
}
