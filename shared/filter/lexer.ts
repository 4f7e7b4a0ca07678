/**
 * Tokenizer for Wireshark 4.0 display filters. Unquoted runs of name/literal characters become
 * one `word` (a field name, a number, an address, a byte string...): what a word means depends
 * on what it is compared with, which only the semantic check knows. Slice brackets switch to a
 * range mode where the text between commas is kept verbatim, as Wireshark's scanner does.
 */
import type { Span } from './ast';

export type Token =
  | { readonly t: 'word'; readonly text: string; readonly span: Span }
  | { readonly t: 'string'; readonly bytes: Uint8Array; readonly raw: boolean; readonly text: string; readonly span: Span }
  | { readonly t: 'char'; readonly value: number; readonly text: string; readonly span: Span }
  /** Operators and punctuation; keyword spellings (`and`, `eq`, ...) are included here. */
  | { readonly t: 'op'; readonly op: string; readonly text: string; readonly span: Span }
  /** Text of one slice range (between `[`/`,` and `,`/`]`). */
  | { readonly t: 'range'; readonly text: string; readonly span: Span }
  | { readonly t: 'eof'; readonly text: ''; readonly span: Span };

export class LexError extends Error {
  constructor(message: string, readonly span: Span) {
    super(message);
  }
}

/** Keyword spellings → canonical operator token. */
const KEYWORDS: Readonly<Record<string, string>> = {
  eq: '==', any_eq: '==', ne: '!=', all_ne: '!=', all_eq: '===', any_ne: '!==',
  gt: '>', ge: '>=', lt: '<', le: '<=',
  contains: 'contains', matches: '~', and: '&&', or: '||', xor: '^^', not: '!', in: 'in',
  bitwise_and: '&',
};

/** Symbols, longest first so that `===` wins over `==` and `!=` over `!`. */
const SYMBOLS = ['===', '!==', '==', '!=', '~=', '>=', '<=', '&&', '||', '^^', '..',
  '(', ')', '{', '}', '[', ']', ',', '>', '<', '~', '!', '&', '+', '-', '*', '/', '%', '#', '$', '@', '^'];

const WORD_START = /[A-Za-z0-9_:]/;
const WORD_CHAR = /[A-Za-z0-9_:/.-]/;

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    if (c === '"' || ((c === 'r' || c === 'R') && text[i + 1] === '"')) {
      const tok = lexString(text, i);
      out.push(tok);
      i = tok.span.end;
      continue;
    }
    if (c === "'") {
      const tok = lexChar(text, i);
      out.push(tok);
      i = tok.span.end;
      continue;
    }
    if (WORD_START.test(c)) {
      let j = i + 1;
      // A word never contains "..": `1..3` is 1, .., 3 (set ranges).
      while (j < n && WORD_CHAR.test(text[j]!) && !(text[j] === '.' && text[j + 1] === '.')) j++;
      const word = text.slice(i, j);
      const op = KEYWORDS[word];
      const span = { start: i, end: j };
      out.push(op ? { t: 'op', op, text: word, span } : { t: 'word', text: word, span });
      i = j;
      continue;
    }
    const sym = SYMBOLS.find((s) => text.startsWith(s, i));
    if (!sym) throw new LexError(`"${c}" is not a valid character here.`, { start: i, end: i + 1 });
    out.push({ t: 'op', op: sym, text: sym, span: { start: i, end: i + sym.length } });
    i += sym.length;
    if (sym === '[') i = lexSliceBody(text, i, out);
  }
  out.push({ t: 'eof', text: '', span: { start: n, end: n } });
  return out;
}

/** After `[`: range texts separated by commas up to `]`. Returns the index after `]`. */
function lexSliceBody(text: string, i: number, out: Token[]): number {
  const open = i - 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ']') {
      out.push({ t: 'op', op: ']', text: ']', span: { start: i, end: i + 1 } });
      return i + 1;
    }
    if (c === ',') {
      out.push({ t: 'op', op: ',', text: ',', span: { start: i, end: i + 1 } });
      i++;
      continue;
    }
    let j = i;
    while (j < text.length && text[j] !== ',' && text[j] !== ']') j++;
    const raw = text.slice(i, j);
    const lead = raw.length - raw.trimStart().length;
    const trimmed = raw.trim();
    if (trimmed) out.push({ t: 'range', text: trimmed, span: { start: i + lead, end: i + lead + trimmed.length } });
    i = j;
  }
  throw new LexError('The right bracket was missing from a slice.', { start: open, end: text.length });
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34, "'": 39, '?': 63,
};

const utf8 = new TextEncoder();

function lexString(text: string, start: number): Token & { t: 'string' } {
  const raw = text[start] !== '"';
  let i = start + (raw ? 2 : 1);
  const bytes: number[] = [];
  const pushText = (s: string) => { for (const b of utf8.encode(s)) bytes.push(b); };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      const span = { start, end: i + 1 };
      return { t: 'string', bytes: Uint8Array.from(bytes), raw, text: text.slice(start, i + 1), span };
    }
    if (c !== '\\') {
      // Copy a whole code point (surrogate pairs stay together).
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      pushText(ch);
      i += ch.length;
      continue;
    }
    const e = text[i + 1];
    if (e === undefined) break;
    if (raw) {
      // Raw strings keep the backslash; `\"` and `\\` only stop the quote from ending the string.
      pushText(e === '"' || e === '\\' ? '\\' + e : '\\');
      i += e === '"' || e === '\\' ? 2 : 1;
      continue;
    }
    const esc = /^(?:[0-7]{1,3}|x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{0,4}|U[0-9A-Fa-f]{0,8})/.exec(text.slice(i + 1, i + 10))?.[0];
    if (esc && /^[0-7]/.test(esc)) {
      const v = parseInt(esc, 8);
      if (v > 0xff) throw new LexError(`\\${esc} is larger than 255.`, { start: i, end: i + 1 + esc.length });
      bytes.push(v);
      i += 1 + esc.length;
    } else if (esc && esc[0] === 'x') {
      bytes.push(parseInt(esc.slice(1), 16));
      i += 1 + esc.length;
    } else if (esc && (esc[0] === 'u' || esc[0] === 'U')) {
      const want = esc[0] === 'u' ? 4 : 8;
      const span = { start: i, end: i + 1 + esc.length };
      if (esc.length - 1 !== want) throw new LexError(`\\${esc} is not a valid universal character name.`, span);
      const cp = parseInt(esc.slice(1), 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new LexError(`\\${esc} is not a valid universal character name.`, span);
      pushText(String.fromCodePoint(cp));
      i += 1 + esc.length;
    } else if (SIMPLE_ESCAPES[e] !== undefined) {
      bytes.push(SIMPLE_ESCAPES[e]!);
      i += 2;
    } else {
      throw new LexError(`\\${e} is not a valid character escape sequence`, { start: i, end: i + 2 });
    }
  }
  throw new LexError('The final quote was missing from a quoted string.', { start, end: text.length });
}

function lexChar(text: string, start: number): Token & { t: 'char' } {
  const close = text.indexOf("'", text[start + 1] === '\\' ? start + 3 : start + 2);
  if (close < 0) throw new LexError('The final quote was missing from a character constant.', { start, end: text.length });
  const body = text.slice(start + 1, close);
  const span = { start, end: close + 1 };
  const bad = () => new LexError(`${text.slice(start, close + 1)} is not a valid character constant.`, span);
  let value: number;
  if (body.length === 1 && body !== '\\') value = body.charCodeAt(0);
  else if (body[0] !== '\\') throw bad();
  else if (/^\\[0-7]{1,3}$/.test(body)) value = parseInt(body.slice(1), 8);
  else if (/^\\x[0-9A-Fa-f]{1,2}$/.test(body)) value = parseInt(body.slice(2), 16);
  else if (body.length === 2 && SIMPLE_ESCAPES[body[1]!] !== undefined) value = SIMPLE_ESCAPES[body[1]!]!;
  else throw bad();
  if (value > 0xff) throw bad();
  return { t: 'char', value, text: text.slice(start, close + 1), span };
}
