/**
 * The PostgreSQL decoder (Wireshark's "pgsql"): the TcpAppDissector the TCP driver calls per
 * message. Frontend/backend bodies are in frontend.ts / backend.ts, framing and detection in
 * framing.ts, transaction events in session.ts.
 */
import { PGSQL } from '../../../../../shared/fields/pgsql';
import type { AppContext, TcpAppDissector } from '../../app';
import type { ProtoNode } from '../../tree';
import type { Tvb } from '../../tvb';
import { backendTypeName, dissectBackend } from './backend';
import { MAX_MESSAGE_LENGTH } from './constants';
import { looksLikePgsqlStream, pgsqlProbe, pgsqlPduLength, pgsqlResync } from './framing';
import { dissectFrontend, frontendTypeName } from './frontend';
import { infoMessage } from './info';
import { onGap } from './session';
import { newPgsqlState, type PgsqlState } from './state';
import { tlsRecordSummary } from './tls';

const F = PGSQL.f;
type Ctx = AppContext<PgsqlState>;

export const pgsqlDissector: TcpAppDissector<PgsqlState> = {
  proto: PGSQL,
  ports: [5432],
  newState: newPgsqlState,
  probe: pgsqlProbe,
  portVeto: (data, fromServer) => !looksLikePgsqlStream(fromServer ? undefined : data, fromServer ? data : undefined),
  pduLength: pgsqlPduLength,
  // After 'S' both directions carry TLS records (GSSAPI encryption stays with this decoder).
  encrypted: (s) => s.encrypted && s.encryption === 'tls',
  dissect: dissectPgsql,
  gap: (s) => onGap(s),
  resync: pgsqlResync,
};

function dissectPgsql(tvb: Tvb, node: ProtoNode, ctx: Ctx): void {
  const { pinfo, state: s, fromServer } = ctx;
  pinfo.colProtocol = PGSQL.short;
  const firstInFrame = s.infoFrame !== pinfo.num;

  const answer = fromServer && tvb.length === 1 && firstInFrame ? answerKind(s, pinfo.num) : null;
  if (answer) return encryptionAnswer(tvb, node, ctx, answer);
  if (s.encryptedFrom !== null && pinfo.num >= s.encryptedFrom) return encryptedPayload(tvb, node, ctx);
  // An old server answers SSLRequest with an ErrorResponse instead of a byte.
  if (fromServer) s.pendingAnswer = null;

  const t = tvb.u8(0);
  const untyped = !fromServer && t === 0;
  const hdr = untyped ? 0 : 1;
  const length = tvb.u32(hdr);
  if (length < (untyped ? 8 : 4) || length > MAX_MESSAGE_LENGTH || tvb.length !== length + hdr) {
    // pduLength handed us the bytes at hand because the length field is impossible. Like
    // Wireshark (tcp_dissect_pdus rejects the length), show no pgsql fields, only the error.
    infoMessage(pinfo, s, tvb.ds, fromServer, '');
    ctx.tree.text(node, tvb, 0, tvb.length, `Message with an impossible length (${length})`);
    ctx.tree.malformed(node, PGSQL.short, `impossible message length ${length}`);
    pinfo.colInfo += '[Malformed Packet]';
    return;
  }

  const typeName = fromServer ? backendTypeName(t) : frontendTypeName(tvb, s, pinfo.num);
  infoMessage(pinfo, s, tvb.ds, fromServer, untyped ? '' : String.fromCharCode(t));
  ctx.tree.add(node, F.type, tvb, 0, hdr, typeName);
  ctx.tree.item(node, F.length, tvb, hdr, 4);
  ctx.tree.hidden(node, F.frontend, tvb, 0, 0, !fromServer);
  if (fromServer) dissectBackend(tvb, node, ctx, 5, length);
  else dissectFrontend(tvb, node, ctx, hdr + 4, length);
}

/** Which question a one-byte server message answers (recorded so re-dissection agrees). */
function answerKind(s: PgsqlState, frame: number): 'ssl' | 'gss' | null {
  const known = s.answerFrames.get(frame);
  if (known) return known;
  if (!s.pendingAnswer) return null;
  s.answerFrames.set(frame, s.pendingAnswer);
  return s.pendingAnswer;
}

function encryptionAnswer(tvb: Tvb, node: ProtoNode, ctx: Ctx, kind: 'ssl' | 'gss'): void {
  const { tree, pinfo, state: s } = ctx;
  const c = String.fromCharCode(tvb.u8(0));
  // Newer Wireshark shows this byte as pgsql.type "SSL response"; 4.0 shows no pgsql item.
  infoMessage(pinfo, s, tvb.ds, true, '');
  tree.add(node, F.type, tvb, 0, 0, kind === 'ssl' ? 'SSL response' : 'GSS encrypt response');
  const first = s.pendingAnswer !== null;
  s.pendingAnswer = null;
  if (kind === 'ssl') {
    const willing = c === 'S';
    tree.add(node, F.sslResponse, tvb, 0, 1, c, `SSL Response: ${willing ? 'Willing' : c === 'N' ? 'Unwilling' : 'Unexpected answer'}${willing || c === 'N' ? ' to perform SSL' : ''} (${c})`);
    if (!first) return;
    ctx.emit({ kind: 'tls', phase: willing ? 'accepted' : 'refused' });
    if (willing) startEncryption(s, pinfo.num, 'tls');
  } else {
    const willing = c === 'G';
    tree.add(node, F.gssencResponse, tvb, 0, 1, c, `GSSAPI Encrypt Response: ${willing ? 'Willing' : 'Unwilling'} to perform GSSAPI encryption (${c})`);
    if (first && willing) startEncryption(s, pinfo.num, 'gss');
  }
}

function startEncryption(s: PgsqlState, answerFrame: number, kind: 'tls' | 'gss'): void {
  s.encrypted = true;
  s.encryption = kind;
  // Anything after the answer byte is encrypted too (bytes the server slipped in after 'S' are
  // exactly what CVE-2021-23222 is about; they are not PostgreSQL messages).
  s.encryptedFrom = answerFrame;
}

/** After a positive answer: TLS (or GSSAPI-wrapped) bytes, shown as such, never as PostgreSQL. */
function encryptedPayload(tvb: Tvb, node: ProtoNode, ctx: Ctx): void {
  const { tree, pinfo, state: s } = ctx;
  if (s.encryption === 'tls') {
    pinfo.colProtocol = 'TLS';
    const summary = tlsRecordSummary(tvb.data);
    if (s.infoFrame !== pinfo.num) pinfo.colInfo = summary;
    else pinfo.colInfo += ', ' + summary;
    s.infoFrame = pinfo.num;
    s.infoDs = tvb.ds;
    tree.text(node, tvb, 0, tvb.length, `TLS payload (${tvb.length} bytes): ${summary}`);
    node.text = 'PostgreSQL over TLS';
    if (!s.tlsStartedEmitted) {
      s.tlsStartedEmitted = true;
      ctx.emit({ kind: 'tls', phase: 'started' });
    }
  } else {
    infoMessage(pinfo, s, tvb.ds, ctx.fromServer, '');
    tree.text(node, tvb, 0, tvb.length, `GSSAPI-encrypted data (${tvb.length} bytes)`);
  }
}
