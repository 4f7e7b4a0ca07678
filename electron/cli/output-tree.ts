/** `-V` text trees and `-T json` output, both walks of the field tree. */
import { fieldText, labelText } from '../../shared/fields/format';
import type { ProtoNode } from '../engine/decode/tree';
import type { Dissected } from '../engine/decode/dissect';
import type { Out } from './out';

export function printTextTree(d: Dissected, out: Out): void {
  const walk = (nodes: readonly ProtoNode[], depth: number) => {
    for (const n of nodes) {
      if (n.hidden) continue;
      const label = n.text ?? (n.def ? labelText(n.def, n.value) : '');
      out.line(' '.repeat(depth * 4) + (n.generated && n.def && depth > 0 ? `[${label}]` : label));
      if (n.children) walk(n.children, depth + 1);
    }
  };
  walk(d.tree.roots, 0);
  out.line('');
}

type JsonValue = string | JsonObject | JsonValue[];
interface JsonObject { [k: string]: JsonValue }

/** Add a key; a repeated key becomes an array (tshark would print the key twice). */
function put(obj: JsonObject, key: string, v: JsonValue): void {
  const cur = obj[key];
  if (cur === undefined) obj[key] = v;
  else if (Array.isArray(cur) && (cur as unknown as { __multi?: true }).__multi) cur.push(v);
  else {
    const arr: JsonValue[] = [cur, v];
    Object.defineProperty(arr, '__multi', { value: true });
    obj[key] = arr;
  }
}

function nodeObject(nodes: readonly ProtoNode[]): JsonObject {
  const obj: JsonObject = {};
  for (const n of nodes) {
    const key = n.def ? n.def.name : (n.text ?? '');
    if (n.def && n.def.type !== 'protocol') put(obj, key, fieldText(n.def, n.value));
    if (n.children?.length) put(obj, n.def && n.def.type !== 'protocol' ? `${key}_tree` : key, nodeObject(n.children));
    else if (!n.def) put(obj, key, '');
  }
  return obj;
}

export class JsonPrinter {
  private first = true;

  constructor(private readonly out: Out) {
    out.write('[\n');
  }

  print(d: Dissected): void {
    const layers: JsonObject = {};
    for (const root of d.tree.roots) {
      if (!root.def) continue;
      put(layers, root.def.name, root.children ? nodeObject(root.children) : {});
    }
    const pkt = { _index: 'packets', _type: 'doc', _score: null, _source: { layers } };
    const text = JSON.stringify(pkt, null, 2).replace(/^/gm, '  ');
    this.out.write((this.first ? '' : ',\n') + text);
    this.first = false;
  }

  end(): void {
    this.out.write(this.first ? ']\n' : '\n]\n');
  }
}
