/**
 * The Info column as Wireshark 4.0 builds it for pgsql: ">" (to the server) or "<" (to the client),
 * then each message's type character joined by "/" (e.g. "<T/D/D"). Wireshark restarts the
 * direction mark for each chunk TCP hands it: a message reassembled from earlier segments is one
 * chunk, the messages that start in this segment another — hence "<D<C/Z". Untyped messages
 * (StartupMessage…) add no character (Wireshark prints their NUL type byte, which ends the text).
 */
import type { PacketInfo } from '../../packet-info';
import type { PgsqlState } from './state';

/** Add this message to the Info column. */
export function infoMessage(pinfo: PacketInfo, s: PgsqlState, ds: number, fromServer: boolean, typeChar: string): void {
  const dir = fromServer ? '<' : '>';
  const firstInFrame = s.infoFrame !== pinfo.num;
  const newChunk = firstInFrame || s.infoDs !== ds;
  if (firstInFrame) pinfo.colInfo = dir;
  else if (newChunk) pinfo.colInfo += dir;
  s.infoFrame = pinfo.num;
  s.infoDs = ds;
  if (!typeChar) return;
  // As Wireshark 4.0: an untyped message printed nothing, yet the next one still gets its "/".
  pinfo.colInfo += (newChunk ? '' : '/') + typeChar;
}
