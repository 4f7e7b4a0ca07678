/**
 * REdis Serialization Protocol fields (Wireshark's packet-resp.c names and types). RESP2 fields are
 * those of tshark 4.0; the RESP3 ones (null, boolean, double, map, set, push, …) follow the newer
 * dissector, which tshark 4.0 shows as "fragment" lines instead.
 */
import { defineProtocol, f } from './types';

export const RESP = defineProtocol('resp', 'REdis Serialization Protocol', 'RESP', {
  string: f.str('resp.string', 'String'),
  error: f.str('resp.error', 'Error'),
  bulkString: f.none('resp.bulk_string', 'Bulk String'),
  bulkStringValue: f.bytes('resp.bulk_string.value', 'Value'),
  bulkStringLength: f.int('resp.bulk_string.length', 'Length', 32),
  integer: f.i64('resp.integer', 'Integer'),
  array: f.none('resp.array', 'Array'),
  arrayLength: f.i64('resp.array.length', 'Length'),
  fragment: f.none('resp.fragment', 'Fragment'),
  // RESP3
  null: f.none('resp.null', 'Null'),
  boolean: f.bool('resp.boolean', 'Boolean'),
  double: f.double('resp.double', 'Double'),
  bigNumber: f.str('resp.big_number', 'Big Number'),
  verbatimString: f.none('resp.verbatim_string', 'Verbatim String'),
  verbatimStringLength: f.int('resp.verbatim_string.length', 'Length', 32),
  verbatimStringEncoding: f.str('resp.verbatim_string.encoding', 'Encoding'),
  verbatimStringValue: f.bytes('resp.verbatim_string.value', 'Value'),
  set: f.none('resp.set', 'Set'),
  setLength: f.i64('resp.set.length', 'Length'),
  push: f.none('resp.push', 'Push'),
  pushLength: f.i64('resp.push.length', 'Length'),
  map: f.none('resp.map', 'Map'),
  mapLength: f.i64('resp.map.length', 'Length'),
  attribute: f.none('resp.attribute', 'Attribute'),
  attributeLength: f.i64('resp.attribute.length', 'Length'),
  // expert infos
  partial: f.none('resp.partial', 'Field is only partially decoded'),
  malformedLength: f.none('resp.malformed_length', 'Malformed length specified'),
  recursionTooDeep: f.none('resp.array_recursion_too_deep',
    'Array is too deep to recurse any further. Subsequent elements attached to the protocol tree may not reflect their actual location in the array'),
  invalidBoolean: f.none('resp.invalid_boolean_value', 'Invalid value received for a boolean field'),
  invalidBigNumber: f.none('resp.invalid_big_number_value', 'Invalid value received for a big number field'),
});
