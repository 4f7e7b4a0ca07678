/**
 * A seeded generator of messy TCP conversations: data both ways, segments missing from the
 * capture, reordering, retransmissions, duplicate ACKs with SACK, window changes down to zero,
 * probes and keep-alives, and reconnections on the same ports — tshark judges each one.
 */
import { ACK, FIN, PSH, RST, SYN, type Seg } from './harness';

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 0x100000000;
  };
}

interface End {
  isn: number;
  /** Next new sequence number to send. */
  nxt: number;
  /** Highest in-order sequence received from the other end (what we ACK). */
  rcv: number;
  win: number;
  wscale?: number;
  /** Segments sent, for retransmissions. */
  sent: { seq: number; len: number }[];
}

export function randomConversation(seed: number, count = 160): Seg[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const out: Seg[] = [];
  let us = 0;
  let held: Seg | null = null;
  const emit = (s: Seg, allowHold = true): void => {
    if (held) {
      out.push(s);
      out.push({ ...held, us: s.us + 1 + Math.floor(r() * 3000) });
      us = out[out.length - 1]!.us;
      held = null;
      return;
    }
    if (allowHold && r() < 0.04) { held = s; return; }
    out.push(s);
  };
  let cport = 41000;
  const openConn = (): [End, End] => {
    const cws = r() < 0.6 ? pick([0, 2, 7, 8]) : undefined;
    const sws = r() < 0.6 ? pick([0, 3, 7]) : undefined;
    const c: End = { isn: Math.floor(r() * 0xffffffff), nxt: 0, rcv: 0, win: 1000 + Math.floor(r() * 60000), wscale: cws, sent: [] };
    const s: End = { isn: Math.floor(r() * 0xffffffff), nxt: 0, rcv: 0, win: 1000 + Math.floor(r() * 60000), wscale: sws, sent: [] };
    c.nxt = (c.isn + 1) >>> 0; s.nxt = (s.isn + 1) >>> 0;
    c.rcv = s.nxt; s.rcv = c.nxt;
    const skipSyn = r() < 0.15;
    if (!skipSyn) out.push({ us, from: 'c', flags: SYN, seq: c.isn, ack: 0, win: 64240, wscale: cws, mss: 1460, cport });
    if (r() < 0.1) { us += 1000000; out.push({ us, from: 'c', flags: SYN, seq: c.isn, ack: 0, win: 64240, wscale: cws, mss: 1460, cport }); }
    us += 100 + Math.floor(r() * 2000);
    out.push({ us, from: 's', flags: SYN | ACK, seq: s.isn, ack: c.nxt, win: 65160, wscale: sws, mss: 1460, cport });
    us += 100 + Math.floor(r() * 2000);
    out.push({ us, from: 'c', flags: ACK, seq: c.nxt, ack: s.nxt, win: c.win, cport });
    return [c, s];
  };
  let [cli, srv] = openConn();
  for (let i = 0; i < count; i++) {
    us += r() < 0.05 ? Math.floor(r() * 3_000_000) : Math.floor(r() * 30_000);
    const fromClient = r() < 0.5;
    const me = fromClient ? cli : srv, peer = fromClient ? srv : cli;
    const from = fromClient ? 'c' : 's';
    const roll = r();
    if (roll < 0.42) {
      // New data; sometimes not captured.
      const len = pick([1, 10, 100, 536, 1000, 1460]);
      const seg: Seg = { us, from, flags: ACK | (r() < 0.5 ? PSH : 0), seq: me.nxt, ack: me.rcv, win: me.win, len, cport };
      me.sent.push({ seq: me.nxt, len });
      me.nxt = (me.nxt + len) >>> 0;
      if (r() < 0.85) peer.rcv = r() < 0.9 ? me.nxt : peer.rcv;
      if (r() < 0.08) continue; // lost before the capture point
      emit(seg);
    } else if (roll < 0.62) {
      // Pure ACK, sometimes repeated (duplicate ACKs), sometimes with a SACK block.
      const sack = r() < 0.15 && me.rcv !== peer.nxt ? [me.rcv + 100 >>> 0, peer.nxt] : undefined;
      const n = r() < 0.2 ? 1 + Math.floor(r() * 4) : 1;
      for (let k = 0; k < n; k++) emit({ us: us + k * 500, from, flags: ACK, seq: me.nxt, ack: me.rcv, win: me.win, sack, cport }, k === 0);
      us += n * 500;
    } else if (roll < 0.72 && me.sent.length) {
      // Retransmission of something sent before.
      const old = pick(me.sent.slice(-6));
      emit({ us, from, flags: ACK, seq: old.seq, ack: me.rcv, win: me.win, len: old.len, cport });
    } else if (roll < 0.8) {
      // Window change (down to zero at times).
      me.win = pick([0, 0, 100, 1000, 8000, 30000, 65535]);
      emit({ us, from, flags: ACK, seq: me.nxt, ack: me.rcv, win: me.win, cport });
    } else if (roll < 0.86) {
      // Zero window probe or keep-alive.
      if (r() < 0.5) emit({ us, from, flags: ACK, seq: me.nxt, ack: me.rcv, win: me.win, len: 1, cport });
      else emit({ us, from, flags: ACK, seq: (me.nxt - 1) >>> 0, ack: me.rcv, win: me.win, len: r() < 0.5 ? 0 : 1, cport });
    } else if (roll < 0.9) {
      // ACK beyond what was sent (ACKed unseen segment) by catching up the peer's receive point.
      peer.rcv = me.nxt;
      emit({ us, from: fromClient ? 's' : 'c', flags: ACK, seq: peer.nxt, ack: me.nxt, win: peer.win, cport });
    } else if (roll < 0.93) {
      // Close (FIN or RST) and reopen, on the same ports or a new one.
      if (r() < 0.5) {
        emit({ us, from, flags: FIN | ACK, seq: me.nxt, ack: me.rcv, win: me.win, cport }, false);
        me.nxt = (me.nxt + 1) >>> 0;
        us += 300;
        emit({ us, from: fromClient ? 's' : 'c', flags: FIN | ACK, seq: peer.nxt, ack: me.nxt, win: peer.win, cport }, false);
      } else {
        emit({ us, from, flags: RST | ACK, seq: me.nxt, ack: me.rcv, win: 0, cport }, false);
      }
      if (r() < 0.5) cport++;
      us += 10000;
      [cli, srv] = openConn();
    } else {
      // Data both ways in quick succession.
      const len = pick([20, 300]);
      emit({ us, from, flags: PSH | ACK, seq: me.nxt, ack: me.rcv, win: me.win, len, cport });
      me.sent.push({ seq: me.nxt, len });
      me.nxt = (me.nxt + len) >>> 0;
      peer.rcv = me.nxt;
      us += 200;
      emit({ us, from: fromClient ? 's' : 'c', flags: ACK, seq: peer.nxt, ack: me.nxt, win: peer.win, cport });
    }
  }
  if (held) out.push({ ...(held as Seg), us: us + 1 });
  return out;
}
