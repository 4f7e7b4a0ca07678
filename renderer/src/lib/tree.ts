/** Helpers over the packet detail tree: paths, lookups by byte offset. */
import type { TreeNode } from '../../../shared/api/types';

/** A node's position: indexes from the root list down ("0.3.1"). */
export type NodePath = string;

export function pathKey(indexes: readonly number[]): NodePath {
  return indexes.join('.');
}

export function nodeAt(tree: readonly TreeNode[], path: NodePath): TreeNode | undefined {
  if (!path) return undefined;
  let list: readonly TreeNode[] | undefined = tree;
  let node: TreeNode | undefined;
  for (const part of path.split('.')) {
    node = list?.[Number(part)];
    if (!node) return undefined;
    list = node.children;
  }
  return node;
}

/**
 * The deepest, narrowest node covering byte `offset` of data source `ds` (what Wireshark selects
 * when you click a byte).
 */
export function nodeForByte(tree: readonly TreeNode[], ds: number, offset: number): NodePath | null {
  let best: { path: number[]; len: number; depth: number } | null = null;
  const walk = (list: readonly TreeNode[], path: number[]): void => {
    list.forEach((n, i) => {
      const p = [...path, i];
      if (n.ds === ds && n.length > 0 && offset >= n.start && offset < n.start + n.length) {
        if (!best || n.length < best.len || (n.length === best.len && p.length > best.depth)) best = { path: p, len: n.length, depth: p.length };
      }
      if (n.children) walk(n.children, p);
    });
  };
  walk(tree, []);
  return best ? pathKey((best as { path: number[] }).path) : null;
}

/** The paths of a node's ancestors (to expand them). */
export function ancestors(path: NodePath): NodePath[] {
  const parts = path.split('.');
  const out: NodePath[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('.'));
  return out;
}

/** The value part of a label ("Source Port: 443" → "443"). */
export function labelValue(label: string): string {
  const i = label.indexOf(': ');
  return i >= 0 ? label.slice(i + 2) : label;
}
