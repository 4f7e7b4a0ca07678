/** Named TCP segment sequences, one per behaviour of the sequence analysis. */
import { ACK, FIN, PSH, RST, SYN, type Seg } from './harness';

const C = 1000, S = 5000;

/** Three-way handshake at t=0, both ends offering the given window scale. */
function handshake(cws: number | undefined, sws: number | undefined, t0 = 0, cport?: number, c = C, s = S): Seg[] {
  return [
    { us: t0, from: 'c', flags: SYN, seq: c, ack: 0, win: 64240, mss: 1460, wscale: cws, cport },
    { us: t0 + 300, from: 's', flags: SYN | ACK, seq: s, ack: c + 1, win: 65160, mss: 1460, wscale: sws, cport },
    { us: t0 + 500, from: 'c', flags: ACK, seq: c + 1, ack: s + 1, win: 502, cport },
  ];
}

export const SCENARIOS: Record<string, Seg[]> = {
  'handshake, request/response, FIN close with window scaling': [
    ...handshake(7, 7),
    { us: 1000, from: 'c', flags: PSH | ACK, seq: C + 1, ack: S + 1, win: 502, len: 100 },
    { us: 1200, from: 's', flags: ACK, seq: S + 1, ack: C + 101, win: 509 },
    { us: 1500, from: 's', flags: PSH | ACK, seq: S + 1, ack: C + 101, win: 509, len: 300 },
    { us: 1600, from: 's', flags: ACK, seq: S + 301, ack: C + 101, win: 509, len: 200 },
    { us: 1700, from: 's', flags: PSH | ACK, seq: S + 501, ack: C + 101, win: 509, len: 50 },
    { us: 1900, from: 'c', flags: ACK, seq: C + 101, ack: S + 551, win: 500 },
    { us: 5000, from: 'c', flags: FIN | ACK, seq: C + 101, ack: S + 551, win: 500 },
    { us: 5200, from: 's', flags: FIN | ACK, seq: S + 551, ack: C + 102, win: 509 },
    { us: 5300, from: 'c', flags: ACK, seq: C + 102, ack: S + 552, win: 500 },
  ],
  'window scale offered by the client only': [
    ...handshake(8, undefined),
    { us: 1000, from: 'c', flags: PSH | ACK, seq: C + 1, ack: S + 1, win: 502, len: 10 },
    { us: 1100, from: 's', flags: ACK, seq: S + 1, ack: C + 11, win: 65160 },
  ],
  'window scale offered by the server only': [
    ...handshake(undefined, 5),
    { us: 1000, from: 'c', flags: PSH | ACK, seq: C + 1, ack: S + 1, win: 502, len: 10 },
    { us: 1100, from: 's', flags: ACK, seq: S + 1, ack: C + 11, win: 2000 },
  ],
  'capture starts mid-connection': [
    { us: 0, from: 's', flags: PSH | ACK, seq: 777777, ack: 123456, win: 1000, len: 40 },
    { us: 200, from: 'c', flags: ACK, seq: 123456, ack: 777817, win: 2000 },
    { us: 400, from: 'c', flags: PSH | ACK, seq: 123456, ack: 777817, win: 2000, len: 20 },
    { us: 900, from: 's', flags: ACK, seq: 777817, ack: 123476, win: 1000 },
  ],
  'SYN/ACK seen without the SYN (scale unknown on one side)': [
    { us: 0, from: 's', flags: SYN | ACK, seq: S, ack: C + 1, win: 65160, wscale: 7 },
    { us: 100, from: 'c', flags: ACK, seq: C + 1, ack: S + 1, win: 502 },
    { us: 300, from: 's', flags: PSH | ACK, seq: S + 1, ack: C + 1, win: 500, len: 10 },
    { us: 400, from: 'c', flags: ACK, seq: C + 1, ack: S + 11, win: 502 },
  ],
  'duplicate ACKs then a fast retransmission': [
    ...handshake(undefined, undefined),
    { us: 1000, from: 'c', flags: ACK, seq: C + 1, ack: S + 1, win: 5000, len: 100 },
    { us: 1010, from: 'c', flags: ACK, seq: C + 101, ack: S + 1, win: 5000, len: 100 },
    { us: 1020, from: 'c', flags: ACK, seq: C + 201, ack: S + 1, win: 5000, len: 100 },
    { us: 1030, from: 'c', flags: ACK, seq: C + 301, ack: S + 1, win: 5000, len: 100 },
    { us: 1200, from: 's', flags: ACK, seq: S + 1, ack: C + 101, win: 8000, sack: [C + 201, C + 301] },
    { us: 1210, from: 's', flags: ACK, seq: S + 1, ack: C + 101, win: 8000, sack: [C + 201, C + 401] },
    { us: 1220, from: 's', flags: ACK, seq: S + 1, ack: C + 101, win: 8000, sack: [C + 201, C + 401] },
    { us: 1230, from: 's', flags: ACK, seq: S + 1, ack: C + 101, win: 8000, sack: [C + 201, C + 401] },
    { us: 1300, from: 'c', flags: ACK, seq: C + 101, ack: S + 1, win: 5000, len: 100 },
    { us: 1500, from: 's', flags: ACK, seq: S + 1, ack: C + 401, win: 8000 },
  ],
  'retransmission after a timeout, then a spurious one': [
    ...handshake(undefined, undefined),
    { us: 1000, from: 'c', flags: PSH | ACK, seq: C + 1, ack: S + 1, win: 5000, len: 100 },
    { us: 1100, from: 'c', flags: PSH | ACK, seq: C + 101, ack: S + 1, win: 5000, len: 100 },
    { us: 201000, from: 'c', flags: PSH | ACK, seq: C + 1, ack: S + 1, win: 5000, len: 100 },
    { us: 201300, from: 's', flags: ACK, seq: S + 1, ack: C + 201, win: 8000 },
    { us: 401000, from: 'c', flags: PSH | ACK, seq: C + 101, ack: S + 1, win: 5000, len: 100 },
    { us: 401200, from: 's', flags: ACK, seq: S + 1, ack: C + 201, win: 8000 },
  ],
  'out-of-order segment and a lost segment': [
    ...handshake(undefined, undefined),
    { us: 1000, from: 'c', flags: ACK, seq: C + 1, ack: S + 1, win: 5000, len: 100 },
    { us: 1010, from: 'c', flags: ACK, seq: C + 201, ack: S + 1, win: 5000, len: 100 },
    { us: 1020, from: 'c', flags: ACK, seq: C + 101, ack: S + 1, win: 5000, len: 100 },
    { us: 1200, from: 's', flags: ACK, seq: S + 1, ack: C + 301, win: 8000 },
    { us: 2000, from: 'c', flags: ACK, seq: C + 501, ack: S + 1, win: 5000, len: 100 },
    { us: 2300, from: 's', flags: ACK, seq: S + 1, ack: C + 601, win: 8000 },
  ],
  'ACK of a segment that was not captured': [
    ...handshake(undefined, undefined),
    { us: 1000, from: 'c', flags: PSH | ACK, seq: C + 1, ack: S + 1, win: 5000, len: 100 },
    { us: 1200, from: 's', flags: ACK, seq: S + 1, ack: C + 301, win: 8000 },
    { us: 1300, from: 's', flags: ACK, seq: S + 1, ack: C + 401, win: 8000 },
    { us: 1400, from: 's', flags: PSH | ACK, seq: S + 1, ack: C + 401, win: 8000, len: 10 },
  ],
  'zero window, probe, probe ACK and window update': [
    ...handshake(undefined, undefined),
    { us: 1000, from: 'c', flags: ACK, seq: C + 1, ack: S + 1, win: 5000, len: 1000 },
    { us: 1100, from: 's', flags: ACK, seq: S + 1, ack: C + 1001, win: 0 },
    { us: 2000, from: 'c', flags: ACK, seq: C + 1001, ack: S + 1, win: 5000, len: 1 },
    { us: 2100, from: 's', flags: ACK, seq: S + 1, ack: C + 1001, win: 0 },
    { us: 4000, from: 'c', flags: ACK, seq: C + 1001, ack: S + 1, win: 5000, len: 1 },
    { us: 4100, from: 's', flags: ACK, seq: S + 1, ack: C + 1001, win: 0 },
    { us: 9000, from: 's', flags: ACK, seq: S + 1, ack: C + 1001, win: 4000 },
    { us: 9100, from: 'c', flags: ACK, seq: C + 1001, ack: S + 1, win: 5000, len: 500 },
    { us: 9200, from: 's', flags: ACK, seq: S + 1, ack: C + 1501, win: 4000 },
    { us: 9300, from: 's', flags: ACK, seq: S + 1, ack: C + 1501, win: 6000 },
  ],
  'window full': [
    ...handshake(2, 2),
    { us: 1000, from: 's', flags: ACK, seq: S + 1, ack: C + 1, win: 100 },
    { us: 1100, from: 'c', flags: ACK, seq: C + 1, ack: S + 1, win: 500, len: 300 },
    { us: 1200, from: 'c', flags: ACK, seq: C + 301, ack: S + 1, win: 500, len: 100 },
    { us: 1300, from: 's', flags: ACK, seq: S + 1, ack: C + 401, win: 100 },
    { us: 1400, from: 'c', flags: ACK, seq: C + 401, ack: S + 1, win: 500, len: 400 },
  ],
  'keep-alive and its ACK': [
    ...handshake(undefined, undefined),
    { us: 1000, from: 'c', flags: PSH | ACK, seq: C + 1, ack: S + 1, win: 5000, len: 10 },
    { us: 1200, from: 's', flags: ACK, seq: S + 1, ack: C + 11, win: 8000 },
    { us: 60001000, from: 'c', flags: ACK, seq: C + 10, ack: S + 1, win: 5000 },
    { us: 60001200, from: 's', flags: ACK, seq: S + 1, ack: C + 11, win: 8000 },
    { us: 120001000, from: 'c', flags: ACK, seq: C + 10, ack: S + 1, win: 5000, len: 1 },
    { us: 120001200, from: 's', flags: ACK, seq: S + 1, ack: C + 11, win: 8000 },
  ],
  'ports reused after FIN with a new ISN': [
    ...handshake(undefined, undefined),
    { us: 1000, from: 'c', flags: FIN | ACK, seq: C + 1, ack: S + 1, win: 5000 },
    { us: 1100, from: 's', flags: FIN | ACK, seq: S + 1, ack: C + 2, win: 8000 },
    { us: 1200, from: 'c', flags: ACK, seq: C + 2, ack: S + 2, win: 5000 },
    ...handshake(undefined, undefined, 5000000, undefined, 90000, 70000),
    { us: 5001000, from: 'c', flags: PSH | ACK, seq: 90001, ack: 70001, win: 5000, len: 5 },
  ],
  'same ISN SYN again after a RST': [
    ...handshake(undefined, undefined),
    { us: 1000, from: 'c', flags: RST | ACK, seq: C + 1, ack: S + 1, win: 0 },
    ...handshake(undefined, undefined, 3000000),
  ],
  'SYN retransmitted with the same ISN': [
    { us: 0, from: 'c', flags: SYN, seq: C, ack: 0, win: 64240, mss: 1460 },
    { us: 1000000, from: 'c', flags: SYN, seq: C, ack: 0, win: 64240, mss: 1460 },
    { us: 1000300, from: 's', flags: SYN | ACK, seq: S, ack: C + 1, win: 65160, mss: 1460 },
    { us: 1000500, from: 'c', flags: ACK, seq: C + 1, ack: S + 1, win: 502 },
  ],
  'new ISN without a FIN (connection abandoned)': [
    ...handshake(undefined, undefined),
    { us: 1000, from: 'c', flags: PSH | ACK, seq: C + 1, ack: S + 1, win: 5000, len: 10 },
    ...handshake(undefined, undefined, 2000000, undefined, 88000, 99000),
  ],
  'SYN/ACK with a different ISN': [
    { us: 0, from: 'c', flags: SYN, seq: C, ack: 0, win: 64240 },
    { us: 300, from: 's', flags: SYN | ACK, seq: S, ack: C + 1, win: 65160 },
    { us: 1000300, from: 's', flags: SYN | ACK, seq: S + 12345, ack: C + 1, win: 65160 },
    { us: 1000500, from: 'c', flags: ACK, seq: C + 1, ack: S + 12346, win: 502 },
  ],
  'two conversations interleaved': [
    ...handshake(undefined, undefined, 0, 40001),
    ...handshake(undefined, undefined, 100, 40002, 3000, 4000),
    { us: 1000, from: 'c', flags: PSH | ACK, seq: C + 1, ack: S + 1, win: 5000, len: 10, cport: 40001 },
    { us: 1001, from: 'c', flags: PSH | ACK, seq: 3001, ack: 4001, win: 5000, len: 10, cport: 40002 },
    { us: 1100, from: 's', flags: ACK, seq: 4001, ack: 3011, win: 5000, cport: 40002 },
    { us: 1200, from: 's', flags: ACK, seq: S + 1, ack: C + 11, win: 5000, cport: 40001 },
  ],
  'sequence numbers wrapping past 2^32': [
    ...handshake(undefined, undefined, 0, undefined, 0xffffff00, 0xfffffff0),
    { us: 1000, from: 'c', flags: ACK, seq: 0xffffff01, ack: 0xfffffff1, win: 5000, len: 1000 },
    { us: 1100, from: 's', flags: ACK, seq: 0xfffffff1, ack: (0xffffff01 + 1000) >>> 0, win: 5000, len: 100 },
    { us: 1200, from: 'c', flags: ACK, seq: (0xffffff01 + 1000) >>> 0, ack: (0xfffffff1 + 100) >>> 0, win: 5000 },
  ],
};

SCENARIOS['RST with a far sequence number, then the same SYN again'] = [
  { us: 0, from: 'c', flags: SYN, seq: C, ack: 0, win: 64240 },
  { us: 100, from: 'c', flags: RST, seq: C + 1000, ack: 0, win: 0 },
  { us: 1000000, from: 'c', flags: SYN, seq: C, ack: 0, win: 64240 },
  { us: 1000300, from: 's', flags: SYN | ACK, seq: S, ack: C + 1, win: 65160 },
  { us: 1000500, from: 'c', flags: ACK, seq: C + 1, ack: S + 1, win: 502 },
  { us: 1000600, from: 'c', flags: PSH | ACK, seq: C + 1, ack: S + 1, win: 502, len: 100 },
];

SCENARIOS['RST with a far sequence number mid-connection'] = [
  { us: 0, from: 'c', flags: SYN, seq: C, ack: 0, win: 64240 },
  { us: 300, from: 's', flags: SYN | ACK, seq: S, ack: C + 1, win: 65160 },
  { us: 500, from: 'c', flags: ACK, seq: C + 1, ack: S + 1, win: 502 },
  { us: 600, from: 'c', flags: RST | ACK, seq: C + 1000, ack: S + 1, win: 0 },
  { us: 700, from: 'c', flags: PSH | ACK, seq: C + 1, ack: S + 1, win: 502, len: 100 },
  { us: 800, from: 's', flags: RST, seq: S + 1, ack: 0, win: 0 },
];

SCENARIOS['SACK blocks reduce bytes in flight (1 to 4 blocks)'] = [
  { us: 0, from: 'c', flags: SYN, seq: C, ack: 0, win: 64240 },
  { us: 300, from: 's', flags: SYN | ACK, seq: S, ack: C + 1, win: 65160 },
  { us: 500, from: 'c', flags: ACK, seq: C + 1, ack: S + 1, win: 502 },
  ...Array.from({ length: 10 }, (_, i): Seg => ({ us: 1000 + i, from: 'c', flags: ACK, seq: C + 1 + i * 100, ack: S + 1, win: 5000, len: 100 })),
  { us: 2000, from: 's', flags: ACK, seq: S + 1, ack: C + 101, win: 8000, sack: [C + 201, C + 301] },
  { us: 2001, from: 'c', flags: ACK, seq: C + 1001, ack: S + 1, win: 5000, len: 100 },
  { us: 2002, from: 's', flags: ACK, seq: S + 1, ack: C + 101, win: 8000, sack: [C + 201, C + 301, C + 401, C + 501, C + 601, C + 701] },
  { us: 2003, from: 'c', flags: ACK, seq: C + 1101, ack: S + 1, win: 5000, len: 100 },
  { us: 2004, from: 's', flags: ACK, seq: S + 1, ack: C + 101, win: 8000, sack: [C + 201, C + 301, C + 401, C + 501, C + 601, C + 701, C + 801, C + 901] },
  { us: 2005, from: 'c', flags: ACK, seq: C + 1201, ack: S + 1, win: 5000, len: 100 },
  { us: 2006, from: 's', flags: ACK, seq: S + 1, ack: C + 1301, win: 8000 },
];
