/**
 * Deep copy of decoder state for replay checkpoints. structuredClone would drop prototypes (the TCP
 * analysis keeps its per-flow state in class instances), so this copies objects with their
 * prototype, Maps, Sets, arrays and typed arrays, and keeps functions and the shared decoder
 * singletons by reference. Cycles and shared references are preserved.
 */
import { APP_DISSECTORS } from '../decode/protocols';

const SHARED = new WeakSet<object>(APP_DISSECTORS);

export function cloneState<T>(v: T): T {
  return copy(v, new Map()) as T;
}

function copy(v: unknown, seen: Map<object, unknown>): unknown {
  if (v === null || typeof v !== 'object') return v; // primitives and functions (kept by reference)
  if (SHARED.has(v) || Object.isFrozen(v)) return v;
  const done = seen.get(v);
  if (done !== undefined) return done;
  if (ArrayBuffer.isView(v)) {
    const out = v instanceof DataView ? new DataView(v.buffer.slice(0)) : (v as unknown as { slice(): unknown }).slice();
    seen.set(v, out);
    return out;
  }
  if (Array.isArray(v)) {
    const out: unknown[] = new Array(v.length);
    seen.set(v, out);
    for (let i = 0; i < v.length; i++) out[i] = copy(v[i], seen);
    return out;
  }
  if (v instanceof Map) {
    const out = new Map();
    seen.set(v, out);
    for (const [k, x] of v) out.set(copy(k, seen), copy(x, seen));
    return out;
  }
  if (v instanceof Set) {
    const out = new Set();
    seen.set(v, out);
    for (const x of v) out.add(copy(x, seen));
    return out;
  }
  if (v instanceof ArrayBuffer) {
    const out = v.slice(0);
    seen.set(v, out);
    return out;
  }
  const out = Object.create(Object.getPrototypeOf(v)) as Record<PropertyKey, unknown>;
  seen.set(v, out);
  for (const k of Reflect.ownKeys(v)) {
    const d = Object.getOwnPropertyDescriptor(v, k)!;
    if ('value' in d) d.value = copy(d.value, seen);
    Object.defineProperty(out, k, d);
  }
  return out;
}
