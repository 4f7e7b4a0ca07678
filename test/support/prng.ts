/** A small seeded PRNG (mulberry32) so fuzz runs are reproducible from the printed seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mutate a copy of `b`: bit flips, byte sets, interesting values, truncation, extension. */
export function mutate(b: Uint8Array, rnd: () => number): Uint8Array {
  let out = Uint8Array.from(b);
  const n = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < n && out.length; k++) {
    const i = Math.floor(rnd() * out.length);
    switch (Math.floor(rnd() * 6)) {
      case 0: out[i] = out[i]! ^ (1 << Math.floor(rnd() * 8)); break;
      case 1: out[i] = Math.floor(rnd() * 256); break;
      case 2: out[i] = [0, 0xff, 0x7f, 0x80, 1][Math.floor(rnd() * 5)]!; break;
      case 3: out = out.subarray(0, i); break;
      case 4: { const ext = new Uint8Array(out.length + 1 + Math.floor(rnd() * 64)); ext.set(out); for (let j = out.length; j < ext.length; j++) ext[j] = Math.floor(rnd() * 256); out = ext; break; }
      default: if (i + 1 < out.length) { out[i] = 0xff; out[i + 1] = 0xff; }
    }
  }
  return out;
}
