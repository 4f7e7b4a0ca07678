/**
 * Each scenario is written as a pcap, dissected by tshark 4.0.17, and compared field by field with
 * what TcpConversationTable + addTcpAnalysisTree produce for the same segments.
 */
import { describe, expect, it } from 'vitest';
import { diffRows, ourRows, tsharkRows } from './harness';
import { SCENARIOS } from './scenarios';
import { randomConversation } from './random-conversation';

describe('TCP sequence analysis agrees with tshark', () => {
  for (const [name, segs] of Object.entries(SCENARIOS)) {
    it(name, () => {
      const theirs = tsharkRows(segs);
      expect(theirs.length).toBe(segs.length);
      expect(diffRows(theirs, ourRows(segs).rows)).toEqual([]);
    });
  }

  it('on seeded random conversations (loss, reordering, retransmission, windows, reconnects)', () => {
    const bad: string[] = [];
    for (let seed = 1; seed <= 6; seed++) {
      const segs = randomConversation(seed, 200);
      for (const d of diffRows(tsharkRows(segs), ourRows(segs).rows)) bad.push(`seed ${seed}: ${d}`);
    }
    expect(bad.slice(0, 20)).toEqual([]);
  });
});
