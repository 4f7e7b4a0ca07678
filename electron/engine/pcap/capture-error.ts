/** A capture file could not be (fully) read: `offset` is the byte offset in the (decompressed) file
 *  where the problem was found, `reason` a one-line explanation. The message is one line;
 *  it names the offset unless `offsetInMessage` is false (e.g. "not a capture file"). */
export class CaptureError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
    offsetInMessage = true,
  ) {
    super(offsetInMessage ? `${reason} at byte offset ${offset}` : reason);
    this.name = 'CaptureError';
  }
}
