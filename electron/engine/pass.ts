/**
 * One sequential pass over a capture file: read, dissect, hand each frame to the caller. The CLI
 * commands are built on it; the session engine runs the same steps in workers.
 */
import { openCapture, type FrameRecord, type CaptureReader } from './pcap';
import { DissectSession, type SessionOptions } from './decode/session';
import { dissectFrame, type Dissected } from './decode/dissect';

export interface PassResult {
  readonly frames: number;
  /** Set when reading stopped on bad data (the frames before it were all delivered). */
  readonly error: Error | null;
  readonly session: DissectSession;
}

/** `onFrame` returns false to stop early. Errors opening the file (not a capture, missing) reject. */
export async function runPass(
  file: string,
  opts: SessionOptions,
  onFrame?: (d: Dissected, fr: FrameRecord, reader: CaptureReader) => boolean | void,
): Promise<PassResult> {
  const reader = await openCapture(file);
  const session = new DissectSession(opts);
  let frames = 0;
  try {
    for (let fr = reader.next(); fr; fr = reader.next()) {
      frames++;
      const d = dissectFrame(session, {
        num: fr.num, tsSec: fr.tsSec, tsNsec: fr.tsNsec, capLen: fr.capLen, origLen: fr.origLen, linkType: fr.linkType,
        iface: fr.iface, ifaceName: reader.interfaces[fr.iface]?.name, comments: fr.comments, noTimestamp: fr.noTimestamp, custom: fr.custom, data: fr.data,
      });
      if (onFrame && onFrame(d, fr, reader) === false) break;
    }
  } finally {
    reader.close();
  }
  return { frames, error: reader.error, session };
}
