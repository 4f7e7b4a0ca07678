import { describe, expect, it } from 'vitest';
import { checkFilter } from '../../../shared/filter/index';
import { compileFilter } from '../../../electron/engine/filter/index';

/**
 * Filters Wireshark 4.0.17 refuses (each checked with `tshark -Y EXPR`), with the span we
 * underline and our message (Wireshark's wording where it has one).
 * [filter, start, end, message]
 */
const INVALID: ReadonlyArray<readonly [string, number, number, string]> = [
  ["tcp.port ==", 11, 11, "Unexpected end of filter expression."],
  ["== 1", 0, 2, "\"==\" was unexpected in this context."],
  ["tcp.port == 3306 and", 20, 20, "Unexpected end of filter expression."],
  ["(tcp.port == 3306", 0, 1, "Unexpected end of filter expression: the parenthesis is not closed."],
  ["tcp.port == 3306)", 16, 17, "\")\" was unexpected in this context."],
  ["tcp.prot == 1", 0, 8, "tcp.prot is neither a field nor a protocol name. Did you mean tcp.port?"],
  ["tcp.portt", 0, 9, "tcp.portt is neither a field nor a protocol name. Did you mean tcp.port?"],
  ["foo", 0, 3, "foo is neither a field nor a protocol name."],
  ["1 == frame.number", 0, 1, "Left side of \"==\" expression must be a field or function, not 1."],
  ["\"abc\" == mysql.query", 0, 5, "Left side of \"==\" expression must be a field or function, not \"abc\"."],
  ["tcp.port contains \"x\"", 0, 8, "tcp.port (type=Unsigned integer (2 bytes)) cannot participate in contains comparison."],
  ["ip.src == \"hello\"", 10, 17, "IPv4 address cannot be converted from a string (\"hello\")."],
  ["tcp.port == 99999999999", 12, 23, "\"99999999999\" too big for this field, maximum 65535."],
  ["tcp.port == 70000", 12, 17, "\"70000\" too big for this field, maximum 65535."],
  ["ip.addr == 300.1.1.1", 11, 20, "\"300.1.1.1\" is not a valid hostname or IPv4 address."],
  ["ip.src == 192.168.1", 10, 19, "\"192.168.1\" is not a valid hostname or IPv4 address."],
  ["ip.src == 10.0.0.1/33", 10, 21, "Netmask bits in a CIDR IPv4 address should be <= 32, not 33"],
  ["ipv6.addr == ::1/200", 13, 20, "Prefix in a IPv6 address should be <= 128, not 200"],
  ["mysql.query matches \"[[\"", 20, 24, "Regex compilation error: Unterminated character class."],
  ["mysql.query matches \"a(b\"", 20, 25, "Regex compilation error: Unterminated group."],
  ["mysql.query matches select", 20, 26, "Matches requires a double quoted string on the right side."],
  ["mysql.command == \"COM_QUERY\"", 17, 28, "\"COM_QUERY\" cannot be found among the possible values for mysql.command."],
  ["tcp.flags.syn == true", 17, 21, "\"true\" cannot be found among the possible values for tcp.flags.syn."],
  ["tcp.flags.syn == \"1\"", 17, 20, "\"1\" cannot be found among the possible values for tcp.flags.syn."],
  ["tcp.port == \"3306\"", 12, 18, "Unsigned integer (2 bytes) cannot be converted from a string (\"3306\")."],
  ["tcp.port == 3306.0", 12, 18, "\"3306.0\" is not a valid number."],
  ["frame.number == 1e0", 16, 19, "\"1e0\" is not a valid number."],
  ["frame.time_delta > \"0.09\"", 19, 25, "Time offset cannot be converted from a string (\"0.09\")."],
  ["frame.time_delta > 1e-1", 19, 23, "\"1e-1\" is not a valid time."],
  ["frame.time == 1362452372", 14, 24, "\"1362452372\" is not a valid absolute time. Example: \"Nov 12, 1999 08:55:44.123\" or \"2011-07-04 12:34:56\""],
  ["frame.time == \"yesterday\"", 14, 25, "\"yesterday\" is not a valid absolute time. Example: \"Nov 12, 1999 08:55:44.123\" or \"2011-07-04 12:34:56\""],
  ["eth.src == 58:b0", 11, 16, "\"58:b0\" contains too few bytes to be a valid Ethernet address."],
  ["eth.src == \"hello\"", 11, 18, "Ethernet or other MAC address cannot be converted from a string (\"hello\")."],
  ["tcp.port[0] == 0x0c", 0, 8, "\"tcp.port\" is a Unsigned integer (2 bytes) and cannot be sliced into a sequence of bytes."],
  ["frame[1-0] == 00", 6, 9, "Range 1-0 isn't valid because 1 is greater or equal than 0"],
  ["frame[0:0] == 00", 6, 9, "Range 0:0 isn't valid because length 0 isn't positive"],
  ["frame[a] == 00", 6, 7, "\"a\" is not a valid number."],
  ["frame[1:2:3] == 00", 6, 11, "\"1:2:3\" is not a valid range."],
  ["frame[0", 5, 7, "The right bracket was missing from a slice."],
  ["foo(tcp.port) == 1", 0, 3, "Function 'foo' does not exist"],
  ["len(tcp[0:4]) == 4", 4, 12, "Only fields can be used as parameter for len()"],
  ["count(\"x\") == 1", 6, 9, "Only fields can be used as parameter for count()"],
  ["count(tcp.port)", 0, 5, "You cannot test whether a function is present."],
  ["string(mysql.query) == \"a\"", 7, 18, "String conversion for field \"mysql.query\" is not supported"],
  ["string(tcp.flags.syn) == \"1\"", 7, 20, "String conversion for field \"tcp.flags.syn\" is not supported"],
  ["tcp.srcport == ip.src", 15, 21, "tcp.srcport and ip.src are not of compatible types."],
  ["ip.src contains c0", 0, 6, "ip.src (type=IPv4 address) cannot participate in contains comparison."],
  ["ip.src matches \"192\"", 0, 6, "ip.src (type=IPv4 address) cannot participate in matches comparison."],
  ["tcp.analysis.retransmission == 1", 0, 27, "tcp.analysis.retransmission (type=Label) cannot participate in == comparison."],
  ["frame.number in {}", 17, 18, "\"}\" was unexpected in this context."],
  ["frame.number in {1,}", 19, 20, "\"}\" was unexpected in this context."],
  ["(tcp.flags & 0x12) == 0x12", 19, 21, "\"==\" was unexpected in this context."],
  ["mysql.query == \"a\\q\"", 17, 19, "\\q is not a valid character escape sequence"],
  ["mysql.query == \"abc", 15, 19, "The final quote was missing from a quoted string."],
  ["mysql.query == \"\\400\"", 16, 20, "\\400 is larger than 255."],
  ["frame.number == 'ab'", 16, 20, "'ab' is not a valid character constant."],
  ["tcp[0:2] == 0xcea", 12, 17, "\"0xcea\" is not a valid byte string."],
  ["tcp.srcport>3000and tcp.dstport>3000", 20, 31, "\"tcp.dstport\" was unexpected in this context."],
  ["frame.time_delta > .5", 19, 20, "\".\" is not a valid character here."],
];

describe('display filter: invalid filters', () => {
  it('has a broad table', () => expect(INVALID.length).toBeGreaterThanOrEqual(40));
  it.each(INVALID)('%s', (filter, start, end, message) => {
    const r = checkFilter(filter);
    expect(r).toEqual({ ok: false, error: { start, end, message } });
    expect(compileFilter(filter).ok).toBe(false);
  });
});

describe('display filter: refused on purpose', () => {
  it('refuses field references, which need a selected packet', () => {
    const r = checkFilter('ip.src == ${ip.dst}');
    expect(r.ok).toBe(false);
    if (!r.ok) expect([r.error.start, r.error.end]).toEqual([10, 19]);
  });
  it('refuses the layer operator', () => {
    const r = checkFilter('ip.addr#2 == 10.0.0.1');
    expect(r).toEqual({ ok: false, error: { start: 7, end: 8, message: 'The layer operator "#" is not supported.' } });
  });
  it('refuses regex features JavaScript cannot express', () => {
    for (const [re, what] of [['a++', 'a possessive quantifier'], ['(?>a)', 'an atomic group (?>...)'], ['a(?i)b', 'an inline option group after the start of the pattern'], ['\\\\pL', '\\p']]) {
      const r = checkFilter(`mysql.query matches "${re}"`);
      expect(r.ok ? 'accepted' : r.error.message).toBe(`Regex compilation error: ${what} is not supported.`);
    }
  });
});
