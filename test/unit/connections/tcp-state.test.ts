// The TCP state of both ends against the textbook (RFC 793 / 9293) transitions.
import { describe, expect, it } from 'vitest';
import { TcpStateMachine, type End } from '../../../electron/engine/analysis/connections/tcp-state';

const F = 0x01, S = 0x02, R = 0x04, P = 0x08, A = 0x10;
type Seg = [End, number, number, number, number]; // from, flags, seq, ack, len

function run(segs: Seg[]) {
  const m = new TcpStateMachine();
  segs.forEach(([from, flags, seq, ack, len], i) => m.segment(from, flags, seq, ack, len, i + 1, i));
  const seqOf = (end: End) => [end === 'client' ? 'client' : 'server', ...m.transitions.filter((t) => t.end === end).map((t) => t.to)];
  return { m, client: seqOf('client').slice(1), server: seqOf('server').slice(1) };
}

const handshake: Seg[] = [
  ['client', S, 100, 0, 0],
  ['server', S | A, 500, 101, 0],
  ['client', A, 101, 501, 0],
  ['client', P | A, 101, 501, 10],
  ['server', P | A, 501, 111, 20],
];

describe('TCP states of both ends', () => {
  it('normal close by the client', () => {
    const { client, server, m } = run([...handshake,
      ['client', F | A, 111, 521, 0],
      ['server', A, 521, 112, 0],
      ['server', F | A, 521, 112, 0],
      ['client', A, 112, 522, 0],
    ]);
    expect(client).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
    expect(server).toEqual(['SYN_RECEIVED', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
    expect(m.transitions.find((t) => t.to === 'TIME_WAIT')!.frame).toBe(9);
  });

  it('normal close by the server, with FIN and ACK combined', () => {
    const { client, server } = run([...handshake,
      ['server', F | A, 521, 111, 0],
      ['client', F | A, 111, 522, 0],
      ['server', A, 522, 112, 0],
    ]);
    expect(server).toEqual(['SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
    expect(client).toEqual(['SYN_SENT', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
  });

  it('simultaneous close goes through CLOSING to TIME_WAIT on both ends', () => {
    const { client, server } = run([...handshake,
      ['client', F | A, 111, 521, 0],
      ['server', F | A, 521, 111, 0],
      ['client', A, 112, 522, 0],
      ['server', A, 522, 112, 0],
    ]);
    expect(client).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'CLOSING', 'TIME_WAIT']);
    expect(server).toEqual(['SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'CLOSING', 'TIME_WAIT']);
  });

  it('a RST closes both ends at once', () => {
    const { client, server } = run([...handshake, ['server', R | A, 521, 111, 0]]);
    expect(client.at(-1)).toBe('CLOSED');
    expect(server.at(-1)).toBe('CLOSED');
  });

  it('half-open: the server closed, the client keeps writing and gets a RST', () => {
    const { client, server } = run([...handshake,
      ['server', F | A, 521, 111, 0],
      ['client', A, 111, 522, 0],
      ['client', P | A, 111, 522, 10],
      ['server', R, 522, 0, 0],
    ]);
    expect(server).toEqual(['SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSED']);
    expect(client).toEqual(['SYN_SENT', 'ESTABLISHED', 'CLOSE_WAIT', 'CLOSED']);
  });

  it('a SYN answered by RST: refused, both CLOSED', () => {
    const { client, server } = run([['client', S, 1, 0, 0], ['server', R | A, 0, 2, 0]]);
    expect(client).toEqual(['SYN_SENT', 'CLOSED']);
    expect(server).toEqual(['CLOSED']);
  });

  it('an unanswered SYN stays SYN_SENT', () => {
    const { m } = run([['client', S, 1, 0, 0], ['client', S, 1, 0, 0]]);
    expect(m.state('client')).toBe('SYN_SENT');
    expect(m.state('server')).toBe('LISTEN');
  });

  it('a capture that starts mid-connection starts both ends ESTABLISHED', () => {
    const { client, server } = run([
      ['client', P | A, 1000, 2000, 5],
      ['server', A, 2000, 1005, 0],
      ['client', F | A, 1005, 2000, 0],
      ['server', F | A, 2000, 1006, 0],
      ['client', A, 1006, 2001, 0],
    ]);
    expect(client).toEqual(['ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
    expect(server).toEqual(['ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
  });
});
