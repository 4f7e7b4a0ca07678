/**
 * Dense ids for strings, in order of first sight (0, 1, 2…), with the ids' strings in a list: the
 * rows' address and protocol texts (a pass worker's, and the session's for all shards), TCP
 * address ids.
 *
 * Why a front of recent strings: the first pass asks for the id of a frame's source, destination
 * and protocol texts on every frame, and a capture has few of them — a decoder hands back the same
 * string object each time (an address's text is cached, a protocol name is a literal). Comparing
 * with the last few strings is a pointer check where a Map lookup hashes; the Map's lookups were
 * the largest single builtin of the pass's profile.
 */
export class StringIds {
  /** The strings by id. */
  readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();
  // Four recent strings and their ids, replaced in turn (fields, not arrays: no bounds checks).
  private k0: string | null = null;
  private k1: string | null = null;
  private k2: string | null = null;
  private k3: string | null = null;
  private v0 = 0;
  private v1 = 0;
  private v2 = 0;
  private v3 = 0;
  private turn = 0;

  get size(): number {
    return this.strings.length;
  }

  /** The string of id i ('' for an id never given). */
  get(i: number): string {
    return this.strings[i] ?? '';
  }

  id(s: string): number {
    if (s === this.k0) return this.v0;
    if (s === this.k1) return this.v1;
    if (s === this.k2) return this.v2;
    if (s === this.k3) return this.v3;
    let i = this.ids.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.ids.set(s, i);
      this.strings.push(s);
    }
    switch (this.turn) {
      case 0: this.k0 = s; this.v0 = i; break;
      case 1: this.k1 = s; this.v1 = i; break;
      case 2: this.k2 = s; this.v2 = i; break;
      default: this.k3 = s; this.v3 = i;
    }
    this.turn = (this.turn + 1) & 3;
    return i;
  }
}
