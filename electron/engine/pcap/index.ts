export { CaptureError } from './capture-error';
export { openCapture, type OpenCaptureOptions } from './open-capture';
export type { CaptureInterface, FrameRecord, CaptureReader, CaptureFormat, CaptureCompression } from './types';
export { LinkType, linkTypeName } from './link-types';
export { PcapWriter, type PcapWriterOptions } from './pcap-writer';
export { PcapngWriter, type PcapngWriterOptions, type PcapngInterfaceSpec } from './pcapng-writer';
export type { CaptureWriter, PacketToWrite } from './writer-types';
