// Reads a whole capture into plain objects (bytes copied) for assertions.
import { openCapture, type CaptureReader, type FrameRecord } from '../../../electron/engine/pcap/index';

export type PlainFrame = Omit<FrameRecord, 'data'> & { bytes: number[] };

export async function readAll(path: string, chunkSize?: number): Promise<{ frames: PlainFrame[]; reader: CaptureReader }> {
  const reader = await openCapture(path, chunkSize ? { chunkSize } : {});
  const frames: PlainFrame[] = [];
  for (let f = reader.next(); f; f = reader.next()) {
    const { data, ...rest } = f;
    frames.push({ ...rest, bytes: [...data] });
  }
  reader.close();
  return { frames, reader };
}
