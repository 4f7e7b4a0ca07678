/** Undecoded bytes. */
import { defineProtocol, f } from './types';

export const DATA = defineProtocol('data', 'Data', 'Data', {
  data: f.bytes('data.data', 'Data'),
  len: f.uint('data.len', 'Length'),
});
