/** Memcache Protocol fields (Wireshark's packet-memcache.c names and types, tshark 4.0). */
import { defineProtocol, f } from './types';

/** Binary protocol magic byte. */
export const MEMCACHE_MAGIC: Readonly<Record<number, string>> = { 0x80: 'Request', 0x81: 'Response' };

/** Binary protocol opcodes, as Wireshark names them. */
export const MEMCACHE_OPCODES: Readonly<Record<number, string>> = {
  0x00: 'Get', 0x01: 'Set', 0x02: 'Add', 0x03: 'Replace', 0x04: 'Delete', 0x05: 'Increment',
  0x06: 'Decrement', 0x07: 'Quit', 0x08: 'Flush', 0x09: 'Get Quietly', 0x0a: 'No-op', 0x0b: 'Version',
  0x0c: 'Get Key', 0x0d: 'Get Key Quietly', 0x0e: 'Append', 0x0f: 'Prepend', 0x10: 'Statistics',
  0x11: 'Set Quietly', 0x12: 'Add Quietly', 0x13: 'Replace Quietly', 0x14: 'Delete Quietly',
  0x15: 'Increment Quietly', 0x16: 'Decrement Quietly', 0x17: 'Quit Quietly', 0x18: 'Flush Quietly',
  0x19: 'Append Quietly', 0x1a: 'Prepend Quietly',
};

/** Binary protocol response status codes. */
export const MEMCACHE_STATUS: Readonly<Record<number, string>> = {
  0x0000: 'No error', 0x0001: 'Key not found', 0x0002: 'Key exists', 0x0003: 'Value too big',
  0x0004: 'Invalid arguments', 0x0005: 'Item not stored', 0x0081: 'Unknown command', 0x0082: 'Out of memory',
};

export const MEMCACHE = defineProtocol('memcache', 'Memcache Protocol', 'MEMCACHE', {
  // binary header
  magic: f.uint('memcache.magic', 'Magic', 8, 'dec', MEMCACHE_MAGIC),
  opcode: f.uint('memcache.opcode', 'Opcode', 8, 'dec', MEMCACHE_OPCODES),
  extrasLength: f.uint('memcache.extras.length', 'Extras length', 8),
  keyLength: f.uint('memcache.key.length', 'Key Length', 16),
  valueLength: f.uint('memcache.value.length', 'Value length', 32),
  dataType: f.uint('memcache.data_type', 'Data type', 8, 'dec', { 0: 'Raw bytes' }),
  reserved: f.uint('memcache.reserved', 'Reserved', 16),
  status: f.uint('memcache.status', 'Status', 16, 'dec', MEMCACHE_STATUS),
  totalBodyLength: f.uint('memcache.total_body_length', 'Total body length', 32),
  opaque: f.uint('memcache.opaque', 'Opaque', 32),
  cas: f.u64('memcache.cas', 'CAS'),
  extras: f.none('memcache.extras', 'Extras'),
  extrasFlags: f.uint('memcache.extras.flags', 'Flags', 32, 'hex'),
  extrasExpiration: f.uint('memcache.extras.expiration', 'Expiration', 32),
  extrasDelta: f.u64('memcache.extras.delta', 'Amount to add'),
  extrasInitial: f.u64('memcache.extras.initial', 'Initial value'),
  extrasUnknown: f.bytes('memcache.extras.unknown', 'Unknown'),
  key: f.str('memcache.key', 'Key'),
  value: f.str('memcache.value', 'Value'),
  extrasResponse: f.u64('memcache.extras.response', 'Response'),
  // text protocol
  command: f.str('memcache.command', 'Command'),
  subcommand: f.str('memcache.subcommand', 'Sub command'),
  flags: f.uint('memcache.flags', 'Flags', 16),
  expiration: f.uint('memcache.expiration', 'Expiration', 32),
  noreply: f.str('memcache.noreply', 'Noreply'),
  response: f.str('memcache.response', 'Response'),
  version: f.str('memcache.version', 'Version'),
  slabclass: f.uint('memcache.slabclass', 'Slab class', 32),
  name: f.str('memcache.name', 'Stat name'),
  nameValue: f.str('memcache.name_value', 'Stat value'),
  // expert infos
  extrasNotExpected: f.none('memcache.extras.notexpected', 'shall not have Extras'),
  extrasMissing: f.none('memcache.extras.missing', 'must have Extras'),
  keyNotExpected: f.none('memcache.key.notexpected', 'shall not have Key'),
  keyMissing: f.none('memcache.key.missing', 'must have Key'),
  valueInvalid: f.none('memcache.value.invalid', 'Illegal Value length, should be 8'),
  valueNotExpected: f.none('memcache.value.notexpected', 'shall not have Value'),
  valueMissing: f.none('memcache.value.missing', 'must have Value'),
  magicUnknown: f.none('memcache.magic.unknown', 'Unknown magic byte'),
  opcodeUnknown: f.none('memcache.opcode.unknown', 'Unknown opcode'),
  statusResponse: f.none('memcache.status.response', 'Error response'),
  reservedExpert: f.none('memcache.reserved.expert', 'Reserved value'),
});
