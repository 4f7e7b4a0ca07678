/** Wireshark's own pseudo-protocol fields: expert info and malformed packets. */
import { defineProtocol, f } from './types';

export const WS = defineProtocol('_ws', 'Wireshark', '_WS', {
  malformed: f.none('_ws.malformed', 'Malformed Packet'),
  expert: f.none('_ws.expert', 'Expert Info'),
  expertMessage: f.str('_ws.expert.message', 'Message'),
  expertSeverity: f.uint('_ws.expert.severity', 'Severity level', 32, 'hex'),
});
