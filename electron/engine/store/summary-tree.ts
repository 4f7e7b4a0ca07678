/**
 * The lean tree of the first pass: decoders run unchanged (TCP analysis, reassembly, DB framing,
 * events), but items are not kept — every add returns one shared scratch node. Only the
 * protocol list (frame.protocols, the Protocol column) and data sources survive. `item()` still
 * reads the value (some decoders read it back) and so still bounds-checks exactly as the full
 * tree does, which keeps malformed-packet detection identical.
 */
import type { FieldDef, ProtocolDef } from '../../../shared/fields/types';
import { PacketTree, readValue, type FieldValue, type IntEncoding, type ProtoNode } from '../decode/tree';
import type { Tvb } from '../decode/tvb';

export class SummaryTree extends PacketTree {
  /** Reused for every item: decoders may set text/length on it or read a value just read. */
  private readonly scratch: ProtoNode = { def: null, value: null, ds: 0, start: 0, length: 0, children: null };

  override get lean(): boolean { return true; }

  /** Reuse this tree for the next frame (the first pass allocates one tree, not one per frame). */
  reset(frameBytes: Uint8Array): this {
    // pop(), not `length = 0`: setting an array's length is a runtime call, and this runs per frame
    const p = this.protocols, ds = this.dataSources;
    while (p.length) p.pop();
    while (ds.length > 1) ds.pop();
    ds[0] = { name: 'Frame', bytes: frameBytes };
    return this;
  }

  protected override attach(): ProtoNode {
    return this.scratch;
  }

  override add(): ProtoNode {
    return this.scratch;
  }

  override item(_parent: ProtoNode | null, def: FieldDef, tvb: Tvb, off: number, len: number, enc: IntEncoding = 'be'): ProtoNode {
    // A string's text is never read back from the tree (decoders that need it decode it
    // themselves): check its bounds as reading would, and skip the UTF-8 decoding (a MySQL result
    // set's column definitions alone are six strings each).
    let v: FieldValue = null;
    if (def.type === 'string') tvb.check(off, len);
    else v = readValue(def, tvb, off, len, enc);
    const n = this.scratch;
    n.value = v;
    n.children = null;
    return n;
  }

  override generated(): ProtoNode {
    return this.scratch;
  }

  override hidden(): ProtoNode {
    return this.scratch;
  }

  override text(): ProtoNode {
    return this.scratch;
  }

  override protocol(_parent: ProtoNode | null, proto: ProtocolDef): ProtoNode {
    this.protocols.push(proto.name);
    this.scratch.children = null;
    return this.scratch;
  }
}
