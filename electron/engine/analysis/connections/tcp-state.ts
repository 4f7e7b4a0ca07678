/**
 * The TCP state of both ends of a connection (netstat's names), inferred from the segments a
 * capture saw, with every transition and the frame that caused it. A segment seen on the wire is
 * assumed delivered (the capture point is usually one of the hosts); a FIN or SYN counts as acked
 * only when the peer's ACK covers it.
 */
import type { TcpState } from '../../../../shared/api/types';
import { TH_ACK, TH_FIN, TH_RST, TH_SYN } from '../tcp-types';

import type { End, StateTransition } from '../../../../shared/api/connection-detail';

export type { End, StateTransition };

interface EndState {
  state: TcpState;
  /** Raw sequence number just past our SYN (what the peer's ACK must reach), or null. */
  synAck: number | null;
  synAcked: boolean;
  /** Raw sequence number just past our FIN, or null before we sent one. */
  finAck: number | null;
  finAcked: boolean;
  /** We have the peer's FIN (we acknowledged it, or the FINs crossed). */
  gotPeerFin: boolean;
}

export const otherEnd = (e: End): End => (e === 'client' ? 'server' : 'client');

const seqGe = (a: number, b: number) => ((a - b) | 0) >= 0;

export class TcpStateMachine {
  private readonly ends: Record<End, EndState> = {
    client: { state: 'UNKNOWN', synAck: null, synAcked: false, finAck: null, finAcked: false, gotPeerFin: false },
    server: { state: 'UNKNOWN', synAck: null, synAcked: false, finAck: null, finAcked: false, gotPeerFin: false },
  };
  readonly transitions: StateTransition[] = [];

  state(end: End): TcpState {
    return this.ends[end].state;
  }

  /** Exchange the two ends (the client/server guess made without a SYN was revised). */
  swapEnds(): void {
    [this.ends.client, this.ends.server] = [this.ends.server, this.ends.client];
    for (let i = 0; i < this.transitions.length; i++) this.transitions[i] = { ...this.transitions[i]!, end: otherEnd(this.transitions[i]!.end) };
  }

  /** Feed one segment sent by `from`. */
  segment(from: End, flags: number, seq: number, ack: number, seglen: number, frame: number, time: number): void {
    const to: End = from === 'client' ? 'server' : 'client';
    const me = this.ends[from], peer = this.ends[to];

    // A capture that starts mid-connection: both ends were already talking.
    if (me.state === 'UNKNOWN' && !(flags & (TH_SYN | TH_RST))) {
      this.go(from, 'ESTABLISHED', frame, time);
      if (peer.state === 'UNKNOWN') this.go(to, 'ESTABLISHED', frame, time);
    }

    if (flags & TH_RST) {
      if (me.state !== 'CLOSED') this.go(from, 'CLOSED', frame, time);
      if (peer.state !== 'CLOSED' && peer.state !== 'TIME_WAIT') this.go(to, 'CLOSED', frame, time);
      return;
    }

    if (flags & TH_SYN) {
      me.synAck = (seq + 1) >>> 0;
      if (flags & TH_ACK) {
        if (me.state === 'UNKNOWN' || me.state === 'LISTEN' || me.state === 'CLOSED') this.go(from, 'SYN_RECEIVED', frame, time);
      } else {
        if (me.state === 'UNKNOWN' || me.state === 'CLOSED') this.go(from, 'SYN_SENT', frame, time);
        if (peer.state === 'UNKNOWN') peer.state = 'LISTEN';
      }
    }

    if (flags & TH_ACK) {
      // Our ACK covering the peer's SYN: we received its SYN(/ACK).
      if (peer.synAck !== null && !peer.synAcked && seqGe(ack, peer.synAck)) {
        peer.synAcked = true;
        if (me.state === 'SYN_SENT') this.go(from, 'ESTABLISHED', frame, time);
        if (peer.state === 'SYN_RECEIVED') this.go(to, 'ESTABLISHED', frame, time);
      }
      // Our ACK covering the peer's FIN: we received it, and the peer's close progresses.
      if (peer.finAck !== null && !peer.finAcked && seqGe(ack, peer.finAck)) {
        peer.finAcked = true;
        if (!me.gotPeerFin) {
          me.gotPeerFin = true;
          if (me.state === 'ESTABLISHED' || me.state === 'SYN_RECEIVED' || me.state === 'UNKNOWN') this.go(from, 'CLOSE_WAIT', frame, time);
          else if (me.state === 'FIN_WAIT_1') this.go(from, me.finAcked ? 'TIME_WAIT' : 'CLOSING', frame, time);
          else if (me.state === 'FIN_WAIT_2') this.go(from, 'TIME_WAIT', frame, time);
        }
        if (peer.state === 'FIN_WAIT_1') this.go(to, 'FIN_WAIT_2', frame, time);
        else if (peer.state === 'CLOSING') this.go(to, 'TIME_WAIT', frame, time);
        else if (peer.state === 'LAST_ACK') this.go(to, 'CLOSED', frame, time);
      }
    }

    if ((flags & TH_FIN) && me.finAck === null) {
      me.finAck = (seq + seglen + ((flags & TH_SYN) ? 1 : 0) + 1) >>> 0;
      if (me.state === 'ESTABLISHED' || me.state === 'SYN_RECEIVED' || me.state === 'UNKNOWN') this.go(from, 'FIN_WAIT_1', frame, time);
      else if (me.state === 'CLOSE_WAIT') this.go(from, 'LAST_ACK', frame, time);
      // FINs that cross: each end gets the other's FIN before the ACK of its own (simultaneous close).
      if (peer.state === 'FIN_WAIT_1' && !peer.finAcked && !me.gotPeerFin) {
        me.gotPeerFin = true;
        peer.gotPeerFin = true;
        this.go(from, 'CLOSING', frame, time);
        this.go(to, 'CLOSING', frame, time);
      }
    }
  }

  /** (a method, not a closure made per segment) */
  private go(end: End, next: TcpState, frame: number, time: number): void {
    const e = this.ends[end];
    if (e.state === next) return;
    this.transitions.push({ end, from: e.state, to: next, frame, time });
    e.state = next;
  }
}
