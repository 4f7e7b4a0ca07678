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

function tick(): void {
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const due = Math.min(total, Math.floor(elapsed * rate));
  while (sent < due) {
    payload.writeUInt32BE(++sent, 0);
    // A fresh copy per datagram: send() is asynchronous and keeps a reference.
    sock.send(Buffer.from(payload), port, '127.0.0.1');
  }
  if (sent < total) setImmediate(tick);
  else sock.close(() => { process.stdout.write(`${sent} ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(2)}\n`); });
}
sock.on('error', () => { /* ICMP port unreachable: nobody listens, on purpose */ });
tick();
