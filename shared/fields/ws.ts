/** Wireshark's own pseudo-protocol fields: expert info and malformed packets. */
import { defineProtocol, f, type FieldDef } from './types';

export const WS = defineProtocol('_ws', 'Wireshark', '_WS', {
  malformed: { name: '_ws.malformed', label: 'Malformed Packet', type: 'protocol' } as FieldDef,
  short: { name: '_ws.short', label: 'Short Frame', type: 'protocol' } as FieldDef,
  expert: f.none('_ws.expert', 'Expert Info'),
  expertMessage: f.str('_ws.expert.message', 'Message'),
  expertSeverity: f.uint('_ws.expert.severity', 'Severity level', 32, 'hex'),
});
