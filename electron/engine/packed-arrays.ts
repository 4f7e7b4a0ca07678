/**
 * Empty arrays that start with the elements kind they will hold. V8 starts `[]` as an array of
 * small integers and changes its kind when a double or an object is first stored; when that first
 * store comes mid-pass (a time in ns passing 2^30, a sequence number past 2^30, the first pushed
 * object of a new connection's list), the optimized code reading such arrays is deoptimized and
 * compiled again (~10–20 ms each time in each pass worker).
 */

/** An empty array of doubles. */
export function emptyDoubles(): number[] {
  const a = [0.5];
  a.pop();
  return a;
}

/** An empty array of heap values (objects, strings). */
export function emptyObjects<T>(): T[] {
  const a: unknown[] = [null];
  a.pop();
  return a as T[];
}
