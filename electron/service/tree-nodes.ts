/**
 * A dissected packet's field tree as the API's TreeNodes: plain-text labels, the field name and
 * an "Apply as filter" expression where one can be written, byte ranges for the bytes pane.
 * Hidden items (filterable, not shown) are left out, as Wireshark does.
 */
import type { TreeNode } from '../../shared/api/types';
import { escapeString, fieldText, labelText } from '../../shared/fields/format';
import type { FieldDef } from '../../shared/fields/types';
import type { FieldValue, ProtoNode } from '../engine/decode/tree';
import type { Mutable } from '../engine/mutable';

/** Byte values longer than this get no filter expression (it would be unwieldy). */
const MAX_FILTER_BYTES = 256;

export function toTreeNodes(nodes: readonly ProtoNode[]): TreeNode[] {
  const out: TreeNode[] = [];
  for (const n of nodes) {
    if (n.hidden) continue;
    out.push(toTreeNode(n));
  }
  return out;
}

function toTreeNode(n: ProtoNode): TreeNode {
  const def = n.def;
  // Generated items travel with `generated` set; the renderer draws Wireshark's [brackets].
  const label = n.text ?? (def ? labelText(def, n.value) : '');
  const node: Mutable<TreeNode> = { label, ds: n.ds, start: n.start, length: n.length };
  if (def) {
    node.field = def.name;
    const f = filterFor(def, n.value);
    if (f) node.filter = f;
  }
  if (n.generated) node.generated = true;
  if (def?.name === '_ws.malformed') node.malformed = true;
  if (n.children?.length) node.children = toTreeNodes(n.children);
  return node;
}

/** "name == value" in display-filter syntax, or the bare name for presence-only items. */
export function filterFor(def: FieldDef, v: FieldValue): string | undefined {
  switch (def.type) {
    case 'none': case 'protocol': return def.name;
    case 'bool': return `${def.name} == ${v ? 1 : 0}`;
    case 'uint': case 'int': case 'uint64': case 'int64': case 'framenum': case 'double':
      return typeof v === 'number' || typeof v === 'bigint' ? `${def.name} == ${fieldText(def, v)}` : undefined;
    case 'string': case 'char':
      return typeof v === 'string' ? `${def.name} == "${escapeString(v.replaceAll('\\', '\\\\')).replace(/"/g, '\\"')}"` : undefined;
    case 'bytes': case 'ether':
      if (!(v instanceof Uint8Array) || v.length === 0 || v.length > MAX_FILTER_BYTES) return undefined;
      return `${def.name} == ${Array.from(v, (b) => b.toString(16).padStart(2, '0')).join(':')}`;
    case 'ipv4': case 'ipv6':
      return v instanceof Uint8Array ? `${def.name} == ${fieldText(def, v)}` : undefined;
    case 'rel_time':
      return typeof v === 'number' || typeof v === 'bigint' ? `${def.name} == ${fieldText(def, v)}` : undefined;
    case 'abs_time':
      return typeof v === 'bigint' ? `${def.name} == "${fieldText(def, v)}"` : undefined;
  }
}
