/**
 * Traffic for the capture bench: UDP datagrams to 127.0.0.1 at a steady rate, each carrying its
 * sequence number (so captures can be matched packet by packet). Args: PORT RATE SECONDS.
 * Prints "SENT SECONDS" on exit (the send may lag the target rate on a busy machine).
 */
import { createSocket } from 'node:dgram';

const [port, rate, seconds] = process.argv.slice(2).map(Number) as [number, number, number];
const sock = createSocket('udp4');
const payload = Buffer.alloc(32);
let sent = 0;
const total = Math.round(rate * seconds);
const t0 = process.hrtime.bigint();
const nap = new Int32Array(new SharedArrayBuffer(4));

function tick(): void {
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const due = Math.min(total, Math.floor(elapsed * rate));
  while (sent < due) {
    payload.writeUInt32BE(++sent, 0);
    // A fresh copy per datagram: send() is asynchronous and keeps a reference.
    sock.send(Buffer.from(payload), port, '127.0.0.1');
  }
  if (sent < total) {
    // Sleep until the next datagram is due (at most 1 ms) instead of spinning on setImmediate:
    // the spin took most of a CPU at any rate (measured ~85 % at 20k/s), which on a 2-core
    // machine was taken from the capture being measured. The kernel wakes us within ~60 µs, so
    // the traffic stays steady (a few datagrams per wake-up at 100k/s). One event-loop turn per
    // wake-up lets a send that found the socket buffer full complete.
    const waitMs = Math.min(1, ((sent + 1) / rate - elapsed) * 1000);
    if (waitMs > 0) Atomics.wait(nap, 0, 0, waitMs);
    setImmediate(tick);
  } else sock.close(() => { process.stdout.write(`${sent} ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(2)}\n`); });
}
sock.on('error', () => { /* ICMP port unreachable: nobody listens, on purpose */ });
tick();
