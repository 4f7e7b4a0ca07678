/**
 * The values each behaviour produces, spelled out (the oracle test checks the same packets against
 * tshark; these pin what the flags and measurements are, so a regression names the behaviour).
 */
import { describe, expect, it } from 'vitest';
import { TA, type TcpSegmentAnalysis } from '../../../electron/engine/analysis/tcp-types';
import { MAX_UNACKED_SEGMENTS } from '../../../electron/engine/analysis/tcp-unacked';
import { TcpConversationTable } from '../../../electron/engine/analysis/tcp-conversation';
import { ACK, PSH, SYN, factsOf, ourRows, type Seg } from './harness';
import { SCENARIOS } from './scenarios';

const run = (name: string): TcpSegmentAnalysis[] => ourRows(SCENARIOS[name]!).results;
const has = (r: TcpSegmentAnalysis, bit: number): boolean => (r.flags & bit) !== 0;

describe('TcpConversationTable', () => {
  it('numbers the handshake relative to the ISNs and tracks completeness as tshark shows it', () => {
    const r = run('handshake, request/response, FIN close with window scaling');
    expect(r.map((x) => x.relSeq)).toEqual([0, 0, 1, 1, 1, 1, 301, 501, 101, 101, 551, 102]);
    expect(r.map((x) => x.nxtSeq)).toEqual([1, 1, 1, 101, 1, 301, 501, 551, 101, 102, 552, 102]);
    expect(r.map((x) => x.completeness)).toEqual([0, 1, 3, 7, 15, 15, 15, 15, 15, 15, 31, 31]);
    expect(r[2]!.scaleFactor).toBe(128);
    expect(r[2]!.windowSize).toBe(502 * 128);
    expect(r[1]!.acksFrame).toBe(1);
    expect(r[1]!.ackRtt).toBeCloseTo(0.0003, 9);
    expect(r[2]!.initialRtt).toBeCloseTo(0.0005, 9);
    expect(r[4]!.acksFrame).toBe(4);
    expect(r[6]!.bytesInFlight).toBe(500);
    // Push bytes restart after a PSH segment and count up to the next PSH.
    expect(r[6]!.pushBytesSent).toBe(200);
    expect(r[7]!.bytesInFlight).toBe(550);
    expect(r[7]!.pushBytesSent).toBe(250);
    expect(r.every((x) => x.stream === 0)).toBe(true);
  });

  it('uses scaling only when both SYN and SYN/ACK carry the option', () => {
    expect(run('window scale offered by the client only')[3]!.scaleFactor).toBe(-2);
    expect(run('window scale offered by the server only')[4]!.scaleFactor).toBe(-2);
    const mid = run('capture starts mid-connection');
    expect(mid.map((x) => x.scaleFactor)).toEqual([-1, -1, -1, -1]);
    expect(mid[0]!.relSeq).toBe(1);
    expect(mid[0]!.relAck).toBe(1);
    // Not opened by a SYN: the count starts at 0 and then only gathers ACK and DATA.
    expect(mid.map((x) => x.completeness)).toEqual([0, 0, 4, 12]);
  });

  it('counts duplicate ACKs and then flags the fast retransmission', () => {
    const r = run('duplicate ACKs then a fast retransmission');
    expect(r.slice(8, 11).map((x) => [x.dupAckNum, x.dupAckFrame])).toEqual([[1, 8], [2, 8], [3, 8]]);
    expect(has(r[11]!, TA.FAST_RETRANSMISSION)).toBe(true);
  });

  it('tells a timeout retransmission (with its RTO) from a spurious one', () => {
    const r = run('retransmission after a timeout, then a spurious one');
    expect(has(r[5]!, TA.RETRANSMISSION)).toBe(true);
    expect(r[5]!.rtoFrame).toBe(4);
    expect(r[5]!.rto).toBeCloseTo(0.2, 9);
    expect(has(r[7]!, TA.SPURIOUS_RETRANSMISSION)).toBe(true);
  });

  it('flags lost, out-of-order and ACKed-unseen segments', () => {
    const r = run('out-of-order segment and a lost segment');
    expect(has(r[4]!, TA.LOST_SEGMENT)).toBe(true);
    expect(has(r[5]!, TA.OUT_OF_ORDER)).toBe(true);
    expect(has(r[7]!, TA.LOST_SEGMENT)).toBe(true);
    expect(has(run('ACK of a segment that was not captured')[4]!, TA.ACK_LOST_SEGMENT)).toBe(true);
  });

  it('flags zero window, its probes and their ACKs, and window updates', () => {
    const r = run('zero window, probe, probe ACK and window update');
    expect(has(r[4]!, TA.ZERO_WINDOW)).toBe(true);
    expect(has(r[5]!, TA.ZERO_WINDOW_PROBE)).toBe(true);
    expect(has(r[6]!, TA.ZERO_WINDOW_PROBE_ACK)).toBe(true);
    expect(has(r[9]!, TA.WINDOW_UPDATE)).toBe(true);
    expect(has(r[12]!, TA.WINDOW_UPDATE)).toBe(true);
  });

  it('flags a segment that fills the receive window, keep-alives and their ACKs', () => {
    expect(has(run('window full')[5]!, TA.WINDOW_FULL)).toBe(true);
    const k = run('keep-alive and its ACK');
    expect(has(k[5]!, TA.KEEP_ALIVE)).toBe(true);
    expect(has(k[6]!, TA.KEEP_ALIVE_ACK)).toBe(true);
    expect(has(k[7]!, TA.KEEP_ALIVE) && !has(k[7]!, TA.RETRANSMISSION)).toBe(true);
  });

  it('starts a new stream when a SYN brings a new ISN on the same ports', () => {
    const r = run('ports reused after FIN with a new ISN');
    expect(r.map((x) => x.stream)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(has(r[6]!, TA.REUSED_PORTS)).toBe(true);
    expect(r[6]!.completeness).toBe(1);
    const same = run('same ISN SYN again after a RST');
    expect(same.every((x) => x.stream === 0)).toBe(true);
    expect(has(same[4]!, TA.RETRANSMISSION) && !has(same[4]!, TA.REUSED_PORTS)).toBe(true);
  });

  it('keeps the unacked list bounded when the ACKs are not captured', () => {
    const segs: Seg[] = [{ us: 0, from: 'c', flags: SYN, seq: 0, ack: 0, win: 1000 }];
    const n = MAX_UNACKED_SEGMENTS + 50;
    for (let i = 0; i < n; i++) segs.push({ us: 10 + i, from: 'c', flags: ACK | PSH, seq: 1 + i * 10, ack: 1, win: 1000, len: 10 });
    const table = new TcpConversationTable();
    let last: TcpSegmentAnalysis | undefined;
    for (const h of factsOf(segs)) last = table.process(h);
    // The SYN and the next 9999 segments stay; later ones are not added, so the extent stops growing.
    expect(last!.bytesInFlight).toBe(1 + (MAX_UNACKED_SEGMENTS - 1) * 10);
    expect(table.streamCount).toBe(1);
  });
});
