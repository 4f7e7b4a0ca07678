/** Helpers for comparing the session engine with a plain sequential pass (engine/pass.ts). */
import type { Dissected } from '../../../electron/engine/decode/dissect';
import type { ProtoNode } from '../../../electron/engine/decode/tree';
import { runPass } from '../../../electron/engine/pass';
import type { CaptureSession } from '../../../electron/engine/store/capture-session';

/** Everything a dissection produced: every item (hidden ones too) with value and byte range, columns, data sources. */
export function dumpDissection(d: Dissected): string {
  const node = (n: ProtoNode): unknown => [
    n.def?.name ?? null, valueText(n.value), n.ds, n.start, n.length, n.text ?? null, n.generated ?? false, n.hidden ?? false,
    n.children?.map(node) ?? null,
  ];
  const p = d.pinfo;
  return JSON.stringify({
    cols: [p.num, p.src, p.dst, p.srcPort, p.dstPort, p.stream, p.colProtocol, p.colInfo],
    rel: d.relNs.toString(),
    tree: d.tree.roots.map(node),
    ds: d.tree.dataSources.map((s) => [s.name, Buffer.from(s.bytes).toString('hex')]),
  });
}

function valueText(v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return v;
}

export interface SequentialFrame {
  readonly dump: string;
  readonly protocol: string;
  readonly info: string;
  readonly src: string;
  readonly dst: string;
  readonly tcp: boolean;
  readonly stream: number;
}

/** Every frame of a plain sequential pass (full trees). */
export async function sequentialFrames(file: string, decodeAs: ReadonlyMap<number, string>): Promise<SequentialFrame[]> {
  const out: SequentialFrame[] = [];
  await runPass(file, { decodeAs }, (d) => {
    out.push({
      dump: dumpDissection(d), protocol: d.pinfo.colProtocol, info: d.pinfo.colInfo, src: d.pinfo.src, dst: d.pinfo.dst,
      tcp: d.tree.has('tcp'), stream: d.pinfo.stream,
    });
  });
  return out;
}

/** All summary columns of a session's frames, as one comparable string per frame. */
export function columnDump(s: CaptureSession): string[] {
  const st = s.store;
  const out: string[] = [];
  for (let i = 0; i < st.count; i++) {
    out.push(JSON.stringify([
      st.offset.get(i), st.capLen.get(i), st.origLen.get(i), st.tsSec.get(i), st.tsNsec.get(i), st.iface.get(i), st.kind.get(i),
      st.strings.get(st.src.get(i)), st.strings.get(st.dst.get(i)), st.srcPort.get(i), st.dstPort.get(i), st.strings.get(st.proto.get(i)),
      st.tcpFlags.get(i), st.analysis.get(i), st.stream.get(i), st.color.get(i),
      [...st.protoBits].filter(([, b]) => st.protoMask.get(i) & (1 << b)).map(([p]) => p).sort().join(','),
      Buffer.from(st.infoBytes(i)).toString('utf8'),
    ]));
  }
  return out;
}

/** Decode-As map from tshark-style rules ('tcp.port==N,proto'). */
export function decodeAsMap(rules: readonly string[]): Map<number, string> {
  const m = new Map<number, string>();
  for (const r of rules) {
    const x = /^tcp\.port==(\d+),(\w+)$/.exec(r);
    if (x) m.set(Number(x[1]), x[2]!);
  }
  return m;
}

/** A deterministic shuffle. */
export function shuffled<T>(a: readonly T[], seed = 7): T[] {
  const out = [...a];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
