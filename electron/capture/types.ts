/**
 * What the live-capture parts say to each other: the capture configuration (passed to the capture
 * process) and the messages it sends back. Messages carry counters and spool offsets, never
 * packets: the packets travel through the spool file, so a slow reader costs disk, not memory.
 */

export type BackendName = 'cap' | 'dumpcap' | 'tcpdump';

export interface SshTarget {
  /** "user@host" or "host". */
  readonly destination: string;
  readonly port?: number;
  /** Run the remote tcpdump through `sudo -n` (never prompts). */
  readonly sudo?: boolean;
  readonly identity?: string;
  /** Extra `-o KEY=VALUE` options for ssh (e.g. UserKnownHostsFile). */
  readonly options?: readonly string[];
}

export interface StopConditions {
  readonly packets?: number;
  readonly seconds?: number;
  readonly kilobytes?: number;
}

export interface CaptureConfig {
  readonly iface: string;
  /** BPF capture filter in libpcap syntax ('' for none). */
  readonly filter: string;
  /** Local backend; ignored when `ssh` is set (remote tcpdump). */
  readonly backend: BackendName;
  readonly ssh?: SshTarget;
  readonly bufferMiB: number;
  readonly stop: StopConditions;
  /** The pcapng spool the capture process writes. */
  readonly spoolPath: string;
  /** Longest time between spool flushes (ms); the issue asks for ≤ 250. */
  readonly flushMs: number;
}

/** Why a capture could not start or stopped early. */
export type FailureKind = 'permission' | 'filter' | 'interface' | 'backend' | 'missing-tool';

export interface CaptureCounters {
  /** Packets written to the spool. */
  readonly packets: number;
  /** Bytes of the spool file that are complete and flushed (safe to read). */
  readonly spoolBytes: number;
  /** Packets the backend says it saw / dropped, when it says (null: unknown). */
  readonly received: number;
  readonly dropped: number | null;
}

export type CaptureMessage =
  | { readonly type: 'started'; readonly backend: string; readonly linkType: number | null }
  | ({ readonly type: 'progress' } & CaptureCounters)
  | { readonly type: 'failed'; readonly kind: FailureKind; readonly message: string; readonly fix?: string }
  | ({ readonly type: 'stopped'; readonly reason: string } & CaptureCounters);

export type ControlMessage = { readonly type: 'stop' };
