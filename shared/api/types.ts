/**
 * The API between the engine (service) and its clients: the renderer (through the Electron
 * preload or the WebSocket host), the CLI and tests. Transport-neutral: every argument and result
 * is structured-clone and JSON friendly except RowsPage.buffer and PacketDetail byte arrays, which
 * the transports carry as binary. Every input is validated at the service boundary (validate.ts).
 */

export type SessionId = string;

export interface SessionInfo {
  readonly id: SessionId;
  /** File being read (a live capture's spool file while capturing). */
  readonly file: string;
  readonly format: 'pcap' | 'pcapng';
  readonly compression: 'none' | 'gzip' | 'zstd';
  readonly sizeBytes: number;
  readonly live: boolean;
}

export type ProgressPhase = 'indexing' | 'filtering' | 'exporting' | 'capturing';

export interface Progress {
  readonly session: SessionId;
  readonly phase: ProgressPhase;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** Frames indexed so far (all frames, not only displayed). */
  readonly frames: number;
  /** Frames in the current displayed view. */
  readonly displayed: number;
  readonly done: boolean;
  /** Set when the pass stopped on bad data (truncated file...). */
  readonly error?: string;
}

/**
 * One page of the packet list for the displayed view. `buffer` holds `count` packed rows
 * (see rows.ts for the layout and the decoder), so pages cross threads and sockets as one
 * binary blob instead of thousands of objects.
 */
export interface RowsPage {
  readonly session: SessionId;
  /** Index of the first row within the displayed view (0-based). */
  readonly start: number;
  readonly count: number;
  /** Rows in the displayed view at the time of the page. */
  readonly total: number;
  readonly buffer: ArrayBuffer;
}

/** A row of the packet list, decoded from a RowsPage (rows.ts). */
export interface PacketRow {
  readonly num: number;
  /** Seconds since the first frame. */
  readonly time: number;
  readonly source: string;
  readonly destination: string;
  readonly protocol: string;
  readonly length: number;
  readonly info: string;
  /** Colour class (Wireshark-like rules): see RowColor. */
  readonly color: RowColor;
  /** tcp.stream, or -1. */
  readonly stream: number;
}

export type RowColor = 'none' | 'bad-tcp' | 'rst' | 'syn-fin' | 'db-error' | 'db' | 'tcp' | 'udp';

export interface TreeNode {
  /** The line shown ("Source Port: 443"). Always plain text. */
  readonly label: string;
  /** Field name, for "Apply as filter" (absent for text-only lines). */
  readonly field?: string;
  /** A filter expression matching this value ("tcp.srcport == 443"), when one can be made. */
  readonly filter?: string;
  /** Data source index and byte range, for linking the tree with the bytes pane. */
  readonly ds: number;
  readonly start: number;
  readonly length: number;
  readonly generated?: boolean;
  readonly malformed?: boolean;
  readonly children?: readonly TreeNode[];
}

export interface PacketDetail {
  readonly session: SessionId;
  readonly num: number;
  readonly tree: readonly TreeNode[];
  /** ds 0 is the frame; later ones are reassembled messages. */
  readonly dataSources: readonly { readonly name: string; readonly bytes: Uint8Array }[];
}

export type FilterResult =
  | { readonly ok: true; readonly displayed: number }
  | { readonly ok: false; readonly error: FilterError };

export interface FilterError {
  readonly start: number;
  readonly end: number;
  readonly message: string;
}

export type TcpState =
  | 'CLOSED' | 'LISTEN' | 'SYN_SENT' | 'SYN_RECEIVED' | 'ESTABLISHED' | 'FIN_WAIT_1' | 'FIN_WAIT_2'
  | 'CLOSE_WAIT' | 'CLOSING' | 'LAST_ACK' | 'TIME_WAIT' | 'UNKNOWN';

export interface Connection {
  readonly stream: number;
  /** "addr:port" ("[v6]:port" for IPv6). */
  readonly client: string;
  readonly server: string;
  readonly protocol: string;
  readonly firstTime: number;
  readonly lastTime: number;
  readonly duration: number;
  readonly packets: readonly [number, number];
  readonly bytes: readonly [number, number];
  readonly clientState: TcpState;
  readonly serverState: TcpState;
  readonly verdict: string;
  readonly verdictText: string;
  /** Frames the verdict sentence refers to. */
  readonly evidence: readonly number[];
  readonly login?: { readonly user?: string; readonly database?: string; readonly ok: boolean; readonly errorCode?: string; readonly errorMessage?: string };
  readonly transactions: number;
  readonly errors: number;
  readonly latency?: { readonly p50: number; readonly p95: number; readonly max: number };
  /** Owning local process, when live capture could attribute it. */
  readonly process?: { readonly pid: number; readonly name: string };
  /** Further per-connection facts (RTTs, retransmission counts, ...); see the connections module. */
  readonly [extra: string]: unknown;
}

export interface Transaction {
  readonly stream: number;
  readonly protocol: string;
  readonly requestFrame: number;
  readonly responseFrame: number | null;
  readonly lastResponseFrame: number | null;
  /** Epoch seconds of the request. */
  readonly time: number;
  /** Seconds from the last request packet to the first response packet. */
  readonly latency: number | null;
  readonly statement: string;
  readonly status: 'ok' | 'error' | 'no-response' | 'damaged';
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly rows?: number;
  readonly bytes: readonly [number, number];
}

export interface ConversationChunk {
  /** 0: client→server, 1: server→client. */
  readonly dir: 0 | 1;
  readonly frame: number;
  readonly bytes: Uint8Array;
}

export type ExportWhat =
  | { readonly kind: 'displayed' }
  | { readonly kind: 'frames'; readonly frames: readonly number[] }
  | { readonly kind: 'stream'; readonly stream: number };

export interface ExportRequest {
  readonly what: ExportWhat;
  readonly format: 'pcap' | 'pcapng';
  readonly path: string;
}

export interface CaptureInterfaceInfo {
  readonly name: string;
  readonly description?: string;
  readonly addresses: readonly string[];
  readonly loopback: boolean;
  readonly up: boolean;
  readonly running: boolean;
  readonly wireless: boolean;
  /** Whether this process may capture on it; `fix` says how to allow it when not. */
  readonly permitted: boolean;
  readonly fix?: string;
}

export interface CaptureRequest {
  readonly iface: string;
  readonly filter?: string;
  readonly backend?: 'cap' | 'dumpcap' | 'tcpdump';
  readonly bufferMiB?: number;
  readonly stop?: { readonly packets?: number; readonly seconds?: number; readonly kilobytes?: number };
}

/** libpcap's verdict on a capture filter: ok, its error message, or ok: null when it cannot be checked here. */
export type CaptureFilterCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly message: string }
  | { readonly ok: null; readonly message: string };

export interface CaptureStats {
  readonly session: SessionId;
  readonly received: number;
  readonly dropped: number;
  readonly ratePerSec: number;
  readonly running: boolean;
}

/** Pushed from the engine to clients. */
export type ApiEvent =
  | { readonly type: 'progress'; readonly progress: Progress }
  | { readonly type: 'capture'; readonly stats: CaptureStats }
  | { readonly type: 'engine-error'; readonly message: string };

/** The whole API. The renderer uses exactly this; the transports carry exactly this. */
export interface DbwireApi {
  openFile(path: string): Promise<SessionInfo>;
  closeSession(session: SessionId): Promise<void>;
  progress(session: SessionId): Promise<Progress>;
  cancel(session: SessionId): Promise<void>;
  rows(session: SessionId, start: number, count: number): Promise<RowsPage>;
  packet(session: SessionId, num: number): Promise<PacketDetail>;
  setFilter(session: SessionId, expr: string): Promise<FilterResult>;
  connections(session: SessionId): Promise<readonly Connection[]>;
  transactions(session: SessionId): Promise<readonly Transaction[]>;
  conversation(session: SessionId, stream: number): Promise<readonly ConversationChunk[]>;
  exportPackets(session: SessionId, req: ExportRequest): Promise<{ readonly frames: number; readonly path: string }>;
  interfaces(): Promise<readonly CaptureInterfaceInfo[]>;
  /** Compile a capture (BPF) filter with libpcap, without capture rights, before Start. */
  checkCaptureFilter(expr: string): Promise<CaptureFilterCheck>;
  startCapture(req: CaptureRequest): Promise<SessionInfo>;
  stopCapture(session: SessionId): Promise<void>;
  saveCapture(session: SessionId, path: string): Promise<void>;
  /** Subscribe to pushed events; returns the unsubscribe function. */
  onEvent(listener: (e: ApiEvent) => void): () => void;
}

/** Method names of DbwireApi that are requests (everything but onEvent), for transports and validation. */
export const API_METHODS = [
  'openFile', 'closeSession', 'progress', 'cancel', 'rows', 'packet', 'setFilter', 'connections', 'transactions',
  'conversation', 'exportPackets', 'interfaces', 'checkCaptureFilter', 'startCapture', 'stopCapture', 'saveCapture',
] as const satisfies readonly Exclude<keyof DbwireApi, 'onEvent'>[];
export type ApiMethod = (typeof API_METHODS)[number];
