/** PostgreSQL decoder: see ./pgsql/ (framing, frontend/backend messages, session events). */
export { pgsqlDissector } from './pgsql/dissector';
export { looksLikePgsqlStream, pgsqlProbe } from './pgsql/framing';
export { setShowSecrets } from './pgsql/secrets';
export type { PgsqlState } from './pgsql/state';
