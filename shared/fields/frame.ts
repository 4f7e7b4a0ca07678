/** The frame pseudo-protocol: capture metadata of each packet. */
import { defineProtocol, f } from './types';

export const FRAME = defineProtocol('frame', 'Frame', 'Frame', {
  interfaceId: f.uint('frame.interface_id', 'Interface id'),
  interfaceName: f.str('frame.interface_name', 'Interface name'),
  encapType: f.int('frame.encap_type', 'Encapsulation type', 16),
  time: f.absTime('frame.time', 'Arrival Time'),
  offsetShift: f.relTime('frame.offset_shift', 'Time shift for this packet'),
  // FT_RELATIVE_TIME in Wireshark 4.0; the value is exact nanoseconds (bigint).
  timeEpoch: f.relTime('frame.time_epoch', 'Epoch Time'),
  timeDelta: f.relTime('frame.time_delta', 'Time delta from previous captured frame'),
  timeDeltaDisplayed: f.relTime('frame.time_delta_displayed', 'Time delta from previous displayed frame'),
  timeRelative: f.relTime('frame.time_relative', 'Time since reference or first frame'),
  number: f.uint('frame.number', 'Frame Number'),
  len: f.uint('frame.len', 'Frame length on the wire'),
  capLen: f.uint('frame.cap_len', 'Frame length stored into the capture file'),
  marked: f.bool('frame.marked', 'Frame is marked', 0),
  ignored: f.bool('frame.ignored', 'Frame is ignored', 0),
  protocols: f.str('frame.protocols', 'Protocols in frame'),
  comment: f.str('frame.comment', 'Comment'),
  lenLtCaplen: f.none('frame.len_lt_caplen', 'Frame length is less than captured length'),
});
