// Reads a whole capture into plain objects (bytes copied) for assertions.
import { openCapture, type CaptureReader, type FrameRecord } from '../../../electron/engine/pcap/index';

export type PlainFrame = Omit<FrameRecord, 'data'> & { bytes: number[] };

export async function readAll(path: string, chunkSize?: number): Promise<{ frames: PlainFrame[]; reader: CaptureReader }> {
  const reader = await openCapture(path, chunkSize ? { chunkSize } : {});
  const frames: PlainFrame[] = [];
  for (let f = reader.next(); f; f = reader.next()) {
    // The record's interface fields only (a reader's record may carry more, e.g. its window).
    const plain: PlainFrame = {
      num: f.num, recordOffset: f.recordOffset, dataOffset: f.dataOffset, capLen: f.capLen, origLen: f.origLen,
      tsSec: f.tsSec, tsNsec: f.tsNsec, iface: f.iface, linkType: f.linkType, bytes: [...f.data],
    };
    if (f.comments !== undefined) plain.comments = f.comments;
    if (f.noTimestamp !== undefined) plain.noTimestamp = f.noTimestamp;
    if (f.flags !== undefined) plain.flags = f.flags;
    if (f.custom !== undefined) plain.custom = f.custom;
    frames.push(plain);
  }
  reader.close();
  return { frames, reader };
}
