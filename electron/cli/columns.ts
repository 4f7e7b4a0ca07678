/** The summary columns (No., Time, Source, Destination, Protocol, Length, Info) and `_ws.col.*` fields. */
import type { Dissected } from '../engine/decode/dissect';

const COLUMN_FIELDS = new Set(['_ws.col.No.', '_ws.col.number', '_ws.col.Time', '_ws.col.Source', '_ws.col.Destination',
  '_ws.col.Protocol', '_ws.col.Length', '_ws.col.Info', '_ws.col.info', '_ws.col.protocol']);

export function isColumnField(name: string): boolean {
  return COLUMN_FIELDS.has(name);
}

export function columnValue(name: string, d: Dissected, relTime: string): string {
  const p = d.pinfo;
  switch (name) {
    case '_ws.col.No.': case '_ws.col.number': return String(p.num);
    case '_ws.col.Time': return relTime;
    case '_ws.col.Source': return p.src;
    case '_ws.col.Destination': return p.dst;
    case '_ws.col.Protocol': case '_ws.col.protocol': return p.colProtocol;
    case '_ws.col.Length': return String(d.tree.dataSources[0]!.bytes.length);
    default: return p.colInfo;
  }
}

/** One tshark-like summary line. */
export function summaryLine(d: Dissected, relTime: string, origLen: number): string {
  const p = d.pinfo;
  const time = relTime.replace(/(\.\d{6})\d*$/, '$1');
  return `${String(p.num).padStart(5)} ${time.padStart(10)} ${p.src.padStart(12)} → ${p.dst.padEnd(12)} ${p.colProtocol} ${origLen} ${p.colInfo}`;
}
