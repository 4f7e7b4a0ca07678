import { describe, expect, it } from 'vitest';
import { completeField } from '../../../shared/filter/index';
import { parseFilter } from '../../../shared/filter/parser';
import { translatePcre } from '../../../shared/filter/regex';
import { editDistance } from '../../../shared/filter/suggest';
import { parseAbsTime, parseBytes, parseInteger, parseIPv6 } from '../../../shared/filter/literals';
import type { SyntaxExpr } from '../../../shared/filter/ast';

/** A compact rendering of the syntax tree, to check grouping. */
function shape(e: SyntaxExpr | null): string {
  if (!e) return '';
  switch (e.k) {
    case 'and': case 'or': return `(${shape(e.l)} ${e.k} ${shape(e.r)})`;
    case 'not': return `(not ${shape(e.e)})`;
    case 'test': return e.v.k === 'word' ? e.v.text : e.v.k;
    case 'cmp': return `${e.l.k === 'word' ? e.l.text : e.l.k}${e.opText}${e.r.k === 'word' ? e.r.text : e.r.k}`;
    default: return e.k;
  }
}

describe('parser precedence (as tshark 4.0 groups them)', () => {
  it.each([
    ['a or b and c', '(a or (b and c))'],
    ['a and b or c', '((a and b) or c)'],
    ['not a and b', '((not a) and b)'],
    ['not a or b', '((not a) or b)'],
    ['! a && b || c', '(((not a) and b) or c)'],
    ['not (a or b)', '(not (a or b))'],
    ['a == 1 || b == 2', '(a==1 or b==2)'],
    ['a or b or c', '((a or b) or c)'],
  ])('%s', (text, want) => expect(shape(parseFilter(text))).toBe(want));

  it('binds & tighter than comparison and * tighter than +', () => {
    const e = parseFilter('a & 1 == 1');
    expect(e?.k === 'cmp' && e.l.k === 'arith' && e.l.op === '&').toBe(true);
    const m = parseFilter('a + 2 * 3 == 1');
    expect(m?.k === 'cmp' && m.l.k === 'arith' && m.l.op === '+' && m.l.r.k === 'arith' && m.l.r.op === '*').toBe(true);
  });

  it('keeps slice ranges as written', () => {
    const e = parseFilter('frame[1,3-5,9:,-4:2,:2] == 00');
    expect(e?.k === 'cmp' && e.l.k === 'slice' ? e.l.ranges : null).toEqual([
      { k: 'len', start: 1, length: 1 }, { k: 'end', start: 3, end: 5 }, { k: 'toEnd', start: 9 },
      { k: 'len', start: -4, length: 2 }, { k: 'len', start: 0, length: 2 },
    ]);
  });

  it('decodes string escapes to bytes and keeps raw strings raw', () => {
    const e = parseFilter('a == "\\x41\\101\\n\\"\\\\\\u00e9"');
    expect(e?.k === 'cmp' && e.r.k === 'string' ? [...e.r.bytes] : null).toEqual([0x41, 0x41, 0x0a, 0x22, 0x5c, 0xc3, 0xa9]);
    const r = parseFilter('a == r"\\x41\\"\\\\"');
    expect(r?.k === 'cmp' && r.r.k === 'string' ? new TextDecoder().decode(r.r.bytes) : null).toBe('\\x41\\"\\\\');
  });
});

describe('PCRE to JS regex', () => {
  it('is case-insensitive unless (?-i) leads', () => {
    expect(translatePcre('abc')).toEqual({ source: 'abc', flags: 'i' });
    expect(translatePcre('(?-i)abc')).toEqual({ source: 'abc', flags: '' });
    expect(translatePcre('(?s)a.b')).toEqual({ source: 'a.b', flags: 'is' });
  });
  it('translates PCRE-only spellings', () => {
    const t = (p: string) => { const r = translatePcre(p); return 'source' in r ? r.source : r.error; };
    expect(t('(?P<x>a)(?P=x)')).toBe('(?<x>a)\\k<x>');
    expect(t('[[:digit:][:upper:]]')).toBe('[0-9A-Z]');
    expect(t('[]a]')).toBe('[\\]a]');
    expect(t('\\Qa.b\\E+')).toBe('a\\.b+');
    expect(t('a(?#note)b')).toBe('ab');
    const anchored = translatePcre('\\Afoo\\z');
    expect('source' in anchored && new RegExp(anchored.source, anchored.flags).test('FOO')).toBe(true);
    expect('source' in anchored && new RegExp(anchored.source, anchored.flags).test('xfoo')).toBe(false);
  });
  it('reports syntax errors', () => {
    expect(translatePcre('a(')).toEqual({ error: 'Regex compilation error: Unterminated group.' });
  });
});

describe('literals', () => {
  it('parses integers the way strtoull(base 0) does, plus 0b', () => {
    expect([parseInteger('10'), parseInteger('0x1f'), parseInteger('017'), parseInteger('0b101'), parseInteger('08'), parseInteger('1e3')])
      .toEqual([10n, 31n, 15n, 5n, null, null]);
  });
  it('parses byte strings with any separator and one-byte hex', () => {
    expect([...parseBytes('aa:bb-cc.dd')!]).toEqual([0xaa, 0xbb, 0xcc, 0xdd]);
    expect([...parseBytes('0x7f')!]).toEqual([0x7f]);
    expect(parseBytes('0x1ff')).toBeNull();
    expect(parseBytes('abc')).toBeNull();
  });
  it('parses IPv6 forms', () => {
    const v = parseIPv6('::ffff:10.0.0.1/96');
    expect('value' in v ? [[...v.value.slice(10)], v.prefix] : v).toEqual([[0xff, 0xff, 10, 0, 0, 1], 96]);
    expect('error' in parseIPv6('1::2::3')).toBe(true);
  });
  it('parses absolute times in both Wireshark forms', () => {
    expect(parseAbsTime('2013-03-05 02:59:32.5Z')).toBe(1362452372500000000n);
    expect(parseAbsTime('Mar  5, 2013 02:59:32.5 UTC')).toBe(1362452372500000000n);
    expect(parseAbsTime('2013-13-05 00:00:00')).toBeNull();
  });
});

describe('field help', () => {
  it('measures edits, counting a swap as one', () => {
    expect(editDistance('tcp.prot', 'tcp.port')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('abc', 'abcdefgh', 2)).toBe(3);
  });
  it('completes field names, direct children first', () => {
    const names = completeField('tcp.', 400).map((c) => c.name);
    expect(names).toContain('tcp.port');
    expect(names.every((n) => n.startsWith('tcp.'))).toBe(true);
    expect(names.indexOf('tcp.port')).toBeLessThan(names.indexOf('tcp.analysis.ack_rtt'));
    expect(completeField('tcp.', 3)).toHaveLength(3);
    expect(completeField('mysql.quer', 10).map((c) => c.name)).toContain('mysql.query');
    expect(completeField('no_such_proto.', 10)).toEqual([]);
  });
});
