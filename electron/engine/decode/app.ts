/**
 * The contract between TCP reassembly and a DB protocol decoder (Wireshark's tcp_dissect_pdus):
 * the reassembler hands contiguous bytes of one direction starting at a message boundary; the
 * decoder says how long the first message is; each complete message is dissected in the frame
 * that completes it. After lost bytes the decoder resynchronises at the next boundary it finds.
 */
import type { DefinedProtocol, FieldDef } from '../../../shared/fields/types';
import type { AppEvent } from '../analysis/events';
import type { PacketInfo } from './packet-info';
import type { PacketTree, ProtoNode } from './tree';
import type { Tvb } from './tvb';

/** pduLength's answer when more bytes are needed to know the length. */
export const NEED_MORE = 0;
/** pduLength's answer when the bytes cannot start a message of this protocol. */
export const NOT_A_PDU = -1;
/** Longest partial message the TCP driver keeps per direction before giving up on it (bounded memory per stream). */
export const MAX_PENDING_BYTES = 16 * 1024 * 1024;

export interface AppContext<S> {
  readonly pinfo: PacketInfo;
  readonly tree: PacketTree;
  /** The decoder's per-connection state (from newState). */
  readonly state: S;
  /** True when these bytes were sent by the server end of the connection. */
  readonly fromServer: boolean;
  /** Report a request, response, login or TLS step (fed to transactions and connection analysis). */
  emit(event: AppEvent): void;
}

export interface TcpAppDissector<S = unknown> {
  readonly proto: DefinedProtocol<Record<string, FieldDef>>;
  /** Ports this protocol is decoded on by default (Wireshark's preferences). */
  readonly ports: readonly number[];
  /** Per-connection state, created when the connection is first given to this decoder. */
  newState(): S;
  /**
   * Content detection on a connection whose port is not registered: the first payload bytes seen
   * in either direction. Must be strict: a false positive forces a wrong decoder on a stream.
   */
  probe?(data: Uint8Array, fromServer: boolean): boolean;
  /**
   * For a connection on this protocol's port whose start we saw: true when its first payload
   * proves it is something else (HTTP or MySQL on PostgreSQL's port). Without it the port decides,
   * as in Wireshark.
   */
  portVeto?(firstPayload: Uint8Array, fromServer: boolean): boolean;
  /**
   * Length of the message that starts at data[off] (the bytes from there to data.length are
   * contiguous); NEED_MORE if that cannot be known yet, NOT_A_PDU if data[off] cannot start a
   * message. (An offset, not a view: the driver frames several messages per segment.)
   */
  pduLength(data: Uint8Array, state: S, fromServer: boolean, off?: number): number;
  /** Dissect one complete message (tvb covers exactly it) under `parent` (the protocol item is added by the caller). */
  dissect(tvb: Tvb, parent: ProtoNode, ctx: AppContext<S>): void;
  /**
   * True when the bytes at data[off] are TLS records after the connection upgraded (MySQL SSL
   * request, PostgreSQL SSLRequest answered 'S'): the driver then frames and shows them as TLS
   * records instead of handing them to this decoder, as Wireshark hands such streams to TLS.
   */
  encrypted?(state: S, data: Uint8Array, fromServer: boolean, off?: number): boolean;
  /** Bytes were lost in this direction: forget partial per-message state. */
  gap?(state: S, fromServer: boolean): void;
  /** After a loss: offset of the next plausible message start in data, or -1 if none. */
  resync?(data: Uint8Array, state: S, fromServer: boolean): number;
}
