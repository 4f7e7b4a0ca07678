// Capture files: one reader API for pcap / pcapng (plain, gzip or zstd, detected by content) and
// writers for pcap and pcapng. Readers stream with a fixed-size window (memory does not grow with
// the file); a frame's `data` is valid until the next next(); damage stops reading with
// reader.error (byte offset + reason) after every complete frame.
export { CaptureError } from './capture-error';
export { openCapture, type OpenCaptureOptions } from './open-capture';
export type { CaptureInterface, FrameRecord, CaptureReader, CaptureFormat, CaptureCompression } from './types';
export { LinkType, linkTypeName } from './link-types';
export { PcapWriter, type PcapWriterOptions } from './pcap-writer';
export { PcapngWriter, type PcapngWriterOptions, type PcapngInterfaceSpec } from './pcapng-writer';
export type { CaptureWriter, PacketToWrite } from './writer-types';
