/** Tree helpers shared by the MySQL message decoders (length-encoded items, bitmasks, secrets). */
import type { FieldDef } from '../../../../../shared/fields/types';
import { MYSQL } from '../../../../../shared/fields/mysql';
import type { AppContext } from '../../app';
import type { PacketTree, ProtoNode } from '../../tree';
import type { Tvb } from '../../tvb';
import { asLength, readLenEnc, strSize, strzValue } from './lenenc';
import type { MysqlState } from './state';

export const F = MYSQL.f;

/** One MySQL packet being dissected: its bytes (header included) and where its items go. */
export interface Msg {
  readonly tvb: Tvb;
  readonly tree: PacketTree;
  /** The "MySQL Protocol" item of this packet. */
  readonly item: ProtoNode;
  readonly ctx: AppContext<MysqlState>;
  readonly st: MysqlState;
  /** Sequence id from the header. */
  readonly seq: number;
}

let showSecrets = false;

/** Show passwords / auth responses as their bytes (the CLI's --show-secrets). */
export function setShowSecrets(on: boolean): void {
  showSecrets = on;
}

/** A credential: by default only its length is shown, never its bytes. */
export function addSecret(tree: PacketTree, parent: ProtoNode, def: FieldDef, tvb: Tvb, off: number, len: number): ProtoNode {
  const bytes = tvb.bytes(off, len);
  if (showSecrets) return tree.add(parent, def, tvb, off, len, bytes);
  const hidden = def.type === 'string' ? '' : new Uint8Array(0);
  return tree.add(parent, def, tvb, off, len, hidden, `${def.label}: <hidden, ${len} bytes>`);
}

/** An integer that is a bitmask: the word plus one child item per flag field. */
export function addBitmask(tree: PacketTree, parent: ProtoNode, def: FieldDef, flags: readonly FieldDef[],
  tvb: Tvb, off: number, len: 1 | 2): number {
  const value = len === 1 ? tvb.u8(off) : tvb.u16le(off);
  const node = tree.add(parent, def, tvb, off, len, value);
  // The flag items read the bytes just read (no bounds check left to fail): a lean tree skips them.
  if (!tree.lean) for (const fd of flags) tree.item(node, fd, tvb, off, len, 'le');
  return value;
}

/** A length-encoded integer as a uint64 field; returns its value and size. */
export function addLenEncUint(tree: PacketTree, parent: ProtoNode, def: FieldDef, tvb: Tvb, off: number): { value: number | bigint; size: number } {
  const le = readLenEnc(tvb, off);
  tree.add(parent, def, tvb, off, le.size, le.value);
  return le;
}

/** A length-encoded string (NULL shows as "NULL"); returns the offset after it and the text. */
/** Returns the offset after the string. A lean tree bounds-checks it without decoding the text. */
export function addLenEncString(tree: PacketTree, parent: ProtoNode, def: FieldDef, tvb: Tvb, off: number): number {
  const le = readLenEnc(tvb, off);
  const start = off + le.size;
  if (le.isNull) {
    tree.add(parent, def, tvb, start, 0, 'NULL');
    return start;
  }
  const len = asLength(le.value);
  if (tree.lean) tvb.check(start, len);
  else tree.add(parent, def, tvb, start, len, tvb.str(start, len));
  return start + len;
}

/** A NUL-terminated string (or the rest of the packet when unterminated); returns its size and text. */
export function addStrz(tree: PacketTree, parent: ProtoNode, def: FieldDef, tvb: Tvb, off: number): { size: number; text: string } {
  const size = strSize(tvb, off);
  const text = strzValue(tvb, off, size);
  tree.add(parent, def, tvb, off, size, text);
  return { size, text };
}

export const CAPS_FLAGS: readonly FieldDef[] = [
  F.capsLp, F.capsFr, F.capsLf, F.capsCd, F.capsNs, F.capsCp, F.capsOb, F.capsLi, F.capsIs, F.capsCu,
  F.capsIa, F.capsSl, F.capsIi, F.capsTa, F.capsRs, F.capsSc,
];
export const EXTCAPS_FLAGS: readonly FieldDef[] = [
  F.capsMs, F.capsMr, F.capsPm, F.capsPa, F.capsCa, F.capsEp, F.capsSessionTrack, F.capsDeprecateEof,
  F.capsOptionalMetadata, F.capsCompressZsd, F.capsQueryAttrs, F.capsMfAuth, F.capsCapExt, F.capsUnused,
];
export const STATUS_FLAGS: readonly FieldDef[] = [
  F.statIt, F.statAc, F.statMu, F.statMr, F.statBi, F.statNi, F.statCr, F.statLr, F.statDr, F.statBs,
  F.statMc, F.statQueryWasSlow, F.statPsOutParams, F.statTransReadonly, F.statSessionStateChanged,
];
export const FIELD_FLAGS: readonly FieldDef[] = [
  F.fieldFlagsNotNull, F.fieldFlagsPrimaryKey, F.fieldFlagsUniqueKey, F.fieldFlagsMultipleKey,
  F.fieldFlagsBlob, F.fieldFlagsUnsigned, F.fieldFlagsZeroFill, F.fieldFlagsEnum, F.fieldFlagsAutoIncrement,
  F.fieldFlagsTimestamp, F.fieldFlagsSet,
];
export const REFRESH_FLAGS: readonly FieldDef[] = [
  F.rfshGrants, F.rfshLog, F.rfshTables, F.rfshHosts, F.rfshStatus, F.rfshThreads, F.rfshSlave, F.rfshMaster,
];

/** Server status word (2 bytes LE) with its flags. */
export function addServerStatus(m: Msg, parent: ProtoNode, off: number): number {
  return addBitmask(m.tree, parent, F.serverStatus, STATUS_FLAGS, m.tvb, off, 2);
}
