/** MySQL wire constants: capability and status bits, command codes, column types. */

/** Base capability flags (low 16 bits). */
export const CAP = {
  LONG_PASSWORD: 0x0001,
  CONNECT_WITH_DB: 0x0008,
  COMPRESS: 0x0020,
  PROTOCOL_41: 0x0200,
  SSL: 0x0800,
  SECURE_CONNECTION: 0x8000,
} as const;

/** Extended capability flags (high 16 bits, as their own 16-bit word). */
export const EXT = {
  MULTI_RESULTS: 0x0002,
  PLUGIN_AUTH: 0x0008,
  CONNECT_ATTRS: 0x0010,
  PLUGIN_AUTH_LENENC: 0x0020,
  SESSION_TRACK: 0x0080,
  DEPRECATE_EOF: 0x0100,
  ZSTD: 0x0400,
  QUERY_ATTRIBUTES: 0x0800,
} as const;

export const STATUS = {
  MORE_RESULTS_EXISTS: 0x0008,
  SESSION_STATE_CHANGED: 0x4000,
} as const;

export const COM = {
  SLEEP: 0, QUIT: 1, INIT_DB: 2, QUERY: 3, FIELD_LIST: 4, CREATE_DB: 5, DROP_DB: 6, REFRESH: 7,
  SHUTDOWN: 8, STATISTICS: 9, PROCESS_INFO: 10, CONNECT: 11, PROCESS_KILL: 12, DEBUG: 13, PING: 14,
  TIME: 15, DELAYED_INSERT: 16, CHANGE_USER: 17, BINLOG_DUMP: 18, TABLE_DUMP: 19, CONNECT_OUT: 20,
  REGISTER_SLAVE: 21, STMT_PREPARE: 22, STMT_EXECUTE: 23, STMT_SEND_LONG_DATA: 24, STMT_CLOSE: 25,
  STMT_RESET: 26, SET_OPTION: 27, STMT_FETCH: 28, DAEMON: 29, BINLOG_DUMP_GTID: 30,
  RESET_CONNECTION: 31, STMT_BULK_EXECUTE: 250,
} as const;

/** Protocol names of the commands (what AppEvents carry), e.g. 3 → "COM_QUERY". */
export const COM_NAMES: Readonly<Record<number, string>> = {
  0: 'COM_SLEEP', 1: 'COM_QUIT', 2: 'COM_INIT_DB', 3: 'COM_QUERY', 4: 'COM_FIELD_LIST',
  5: 'COM_CREATE_DB', 6: 'COM_DROP_DB', 7: 'COM_REFRESH', 8: 'COM_SHUTDOWN', 9: 'COM_STATISTICS',
  10: 'COM_PROCESS_INFO', 11: 'COM_CONNECT', 12: 'COM_PROCESS_KILL', 13: 'COM_DEBUG', 14: 'COM_PING',
  15: 'COM_TIME', 16: 'COM_DELAYED_INSERT', 17: 'COM_CHANGE_USER', 18: 'COM_BINLOG_DUMP',
  19: 'COM_TABLE_DUMP', 20: 'COM_CONNECT_OUT', 21: 'COM_REGISTER_SLAVE', 22: 'COM_STMT_PREPARE',
  23: 'COM_STMT_EXECUTE', 24: 'COM_STMT_SEND_LONG_DATA', 25: 'COM_STMT_CLOSE', 26: 'COM_STMT_RESET',
  27: 'COM_SET_OPTION', 28: 'COM_STMT_FETCH', 29: 'COM_DAEMON', 30: 'COM_BINLOG_DUMP_GTID',
  31: 'COM_RESET_CONNECTION', 250: 'COM_STMT_BULK_EXECUTE',
};

/** Column / parameter types of the binary protocol. */
export const TYPE = {
  DECIMAL: 0x00, TINY: 0x01, SHORT: 0x02, LONG: 0x03, FLOAT: 0x04, DOUBLE: 0x05, NULL: 0x06,
  TIMESTAMP: 0x07, LONGLONG: 0x08, INT24: 0x09, DATE: 0x0a, TIME: 0x0b, DATETIME: 0x0c, YEAR: 0x0d,
  NEWDATE: 0x0e, VARCHAR: 0x0f, BIT: 0x10, JSON: 0xf5, NEWDECIMAL: 0xf6, ENUM: 0xf7, SET: 0xf8,
  TINY_BLOB: 0xf9, MEDIUM_BLOB: 0xfa, LONG_BLOB: 0xfb, BLOB: 0xfc, VAR_STRING: 0xfd, STRING: 0xfe,
  GEOMETRY: 0xff,
} as const;

/** Column definition flag: UNSIGNED. */
export const FIELD_FLAG_UNSIGNED = 0x0020;
/** COM_STMT_EXECUTE flag: a parameter count follows (query attributes). */
export const PARAMETER_COUNT_AVAILABLE = 0x08;
/** Largest column/parameter count we keep metadata for (bounds allocations on hostile input). */
export const MAX_COLUMNS = 0x7fff;
/** A packet of this payload length continues in the next packet. */
export const MAX_PAYLOAD = 0xffffff;
