/** The DbwireApi implementation (see service.ts) and the live-capture provider contract. */
export { DbwireService, createService, type ServiceOptions } from './service';
export type { CaptureProvider, LiveCapture } from './capture-provider';
export { NoCaptureProviderError } from './capture-provider';
