/**
 * Recursive-descent parser for Wireshark 4.0 display filters.
 * Precedence, loosest first: `or`, `and`, `not`, relations (`==`, `contains`, `in`, ...),
 * `&`, `+ -`, `* / %`, unary minus, slices. Parentheses group tests; braces group arithmetic
 * (as in 4.0, where `(a & 1) == 1` is a syntax error). 4.0 has no `xor` and needs commas in sets.
 */
import type { ArithOp, CmpOp, SetItem, SliceRange, Span, SyntaxExpr, SyntaxValue } from './ast';
import { tokenize, LexError, type Token } from './lexer';

export class ParseError extends Error {
  constructor(message: string, readonly span: Span) {
    super(message);
  }
}

const CMP_OPS: Readonly<Record<string, CmpOp>> = {
  '==': 'any_eq', '!=': 'all_ne', '===': 'all_eq', '!==': 'any_ne', '~=': 'any_ne',
  '>': 'gt', '>=': 'ge', '<': 'lt', '<=': 'le',
};

/** Parse a filter; `null` for an empty (all-whitespace) filter. Throws ParseError. */
export function parseFilter(text: string): SyntaxExpr | null {
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch (e) {
    if (e instanceof LexError) throw new ParseError(e.message, e.span);
    throw e;
  }
  const p = new Parser(tokens);
  if (p.peek().t === 'eof') return null;
  const expr = p.orExpr();
  p.expectEnd();
  return expr;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.t !== 'eof') this.pos++;
    return t;
  }

  private isOp(op: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.t === 'op' && t.op === op;
  }

  private unexpected(t: Token): ParseError {
    if (t.t === 'eof') return new ParseError('Unexpected end of filter expression.', t.span);
    return new ParseError(`"${t.text}" was unexpected in this context.`, t.span);
  }

  private expect(op: string): Token {
    const t = this.next();
    if (t.t !== 'op' || t.op !== op) throw this.unexpected(t);
    return t;
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.t !== 'eof') throw this.unexpected(t);
  }

  orExpr(): SyntaxExpr {
    let l = this.xorExpr();
    while (this.isOp('||')) {
      this.next();
      const r = this.xorExpr();
      l = { k: 'or', l, r, span: join(spanOfExpr(l), spanOfExpr(r)) };
    }
    return l;
  }

  /**
   * `xor` / `^^` (Wireshark 4.2+; 4.0 refuses it): binds tighter than `or`, looser than `and`,
   * as `^` sits between `|` and `&` in C.
   */
  private xorExpr(): SyntaxExpr {
    let l = this.andExpr();
    while (this.isOp('^^')) {
      this.next();
      const r = this.andExpr();
      l = { k: 'xor', l, r, span: join(spanOfExpr(l), spanOfExpr(r)) };
    }
    return l;
  }

  private andExpr(): SyntaxExpr {
    let l = this.notExpr();
    while (this.isOp('&&')) {
      this.next();
      const r = this.notExpr();
      l = { k: 'and', l, r, span: join(spanOfExpr(l), spanOfExpr(r)) };
    }
    return l;
  }

  private notExpr(): SyntaxExpr {
    if (this.isOp('!')) {
      const t = this.next();
      const e = this.notExpr();
      return { k: 'not', e, span: join(t.span, spanOfExpr(e)) };
    }
    if (this.isOp('(')) {
      const open = this.next();
      const e = this.orExpr();
      const close = this.next();
      if (close.t !== 'op' || close.op !== ')') {
        if (close.t === 'eof') throw new ParseError('Unexpected end of filter expression: the parenthesis is not closed.', open.span);
        throw this.unexpected(close);
      }
      return e;
    }
    return this.relation();
  }

  private relation(): SyntaxExpr {
    const l = this.value();
    const t = this.peek();
    if (t.t !== 'op') return { k: 'test', v: l, span: spanOf(l) };
    const cmp = CMP_OPS[t.op];
    if (cmp) {
      this.next();
      const r = this.value();
      return { k: 'cmp', op: cmp, opText: t.text, opSpan: t.span, l, r, span: join(spanOf(l), spanOf(r)) };
    }
    if (t.op === 'contains' || t.op === '~') {
      this.next();
      const r = this.value();
      const k = t.op === 'contains' ? 'contains' : 'matches';
      return { k, opText: t.text, opSpan: t.span, l, r, span: join(spanOf(l), spanOf(r)) };
    }
    if (t.op === 'in' || (t.op === '!' && this.isOp('in', 1))) {
      const negated = t.op === '!';
      this.next();
      const inTok = negated ? this.next() : t;
      const { items, end } = this.set();
      return { k: 'in', negated, opSpan: join(t.span, inTok.span), l, items, span: { start: spanOf(l).start, end } };
    }
    return { k: 'test', v: l, span: spanOf(l) };
  }

  private set(): { items: SetItem[]; end: number } {
    this.expect('{');
    const items: SetItem[] = [];
    for (;;) {
      const lo = this.value();
      let hi: SyntaxValue | undefined;
      if (this.isOp('..')) {
        this.next();
        hi = this.value();
      }
      items.push(hi ? { lo, hi } : { lo });
      const t = this.peek();
      if (t.t === 'op' && t.op === '}') { this.next(); return { items, end: t.span.end }; }
      if (t.t === 'op' && t.op === ',') { this.next(); continue; }
      if (t.t === 'eof') throw this.unexpected(t);
      // Elements separated by white space only, as Wireshark before 4.0 accepted (4.0 refuses them).
    }
  }

  /** value := bitand */
  private value(): SyntaxValue {
    return this.binary(0);
  }

  private static readonly LEVELS: readonly (readonly ArithOp[])[] = [['&'], ['+', '-'], ['*', '/', '%']];

  private binary(level: number): SyntaxValue {
    if (level >= Parser.LEVELS.length) return this.unary();
    let l = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      const op = t.t === 'op' ? Parser.LEVELS[level]!.find((o) => o === t.op) : undefined;
      if (!op) return l;
      this.next();
      const r = this.binary(level + 1);
      l = { k: 'arith', op, l, r, span: join(spanOf(l), spanOf(r)) };
    }
  }

  private unary(): SyntaxValue {
    if (this.isOp('-')) {
      const t = this.next();
      const e = this.unary();
      return { k: 'neg', e, span: join(t.span, spanOf(e)) };
    }
    let v = this.atom();
    while (this.isOp('[')) {
      this.next();
      const ranges: SliceRange[] = [];
      for (;;) {
        const t = this.next();
        if (t.t !== 'range') throw this.unexpected(t);
        ranges.push(parseRange(t.text, t.span));
        const sep = this.next();
        if (sep.t === 'op' && sep.op === ']') {
          v = { k: 'slice', of: v, ranges, span: { start: spanOf(v).start, end: sep.span.end } };
          break;
        }
        if (!(sep.t === 'op' && sep.op === ',')) throw this.unexpected(sep);
      }
    }
    return v;
  }

  private atom(): SyntaxValue {
    const t = this.next();
    switch (t.t) {
      case 'word': {
        if (this.isOp('(')) return this.call(t);
        if (this.isOp('#')) {
          const h = this.peek();
          throw new ParseError('The layer operator "#" is not supported.', h.span);
        }
        return { k: 'word', text: t.text, span: t.span };
      }
      case 'string': return { k: 'string', bytes: t.bytes, raw: t.raw, span: t.span };
      case 'char': return { k: 'char', value: t.value, span: t.span };
      case 'op':
        if (t.op === '{') {
          const v = this.value();
          const close = this.expect('}');
          return withSpan(v, { start: t.span.start, end: close.span.end });
        }
        if (t.op === '$') {
          const close = this.tokens.findIndex((x, i) => i >= this.pos && x.t === 'op' && x.op === '}');
          const end = close >= 0 ? this.tokens[close]!.span.end : t.span.end;
          throw new ParseError('Field references ("${...}") are not supported: they refer to the packet selected in the GUI.', { start: t.span.start, end });
        }
        if (t.op === '@') throw new ParseError('The raw-bytes operator "@" is not supported.', t.span);
        throw this.unexpected(t);
      default:
        throw this.unexpected(t);
    }
  }

  private call(name: Token & { t: 'word' }): SyntaxValue {
    this.expect('(');
    const args: SyntaxValue[] = [];
    if (!this.isOp(')')) {
      for (;;) {
        args.push(this.value());
        if (this.isOp(',')) { this.next(); continue; }
        break;
      }
    }
    const close = this.expect(')');
    return { k: 'call', name: name.text, nameSpan: name.span, args, span: { start: name.span.start, end: close.span.end } };
  }
}

function parseRange(text: string, span: Span): SliceRange {
  const int = (s: string) => Number.parseInt(s, 10);
  let m: RegExpExecArray | null;
  if ((m = /^([+-]?\d+):(\d+)$/.exec(text))) {
    const length = int(m[2]!);
    if (length <= 0) throw new ParseError(`Range ${text} isn't valid because length ${length} isn't positive`, span);
    return { k: 'len', start: int(m[1]!), length };
  }
  if ((m = /^:(\d+)$/.exec(text))) {
    const length = int(m[1]!);
    if (length <= 0) throw new ParseError(`Range ${text} isn't valid because length ${length} isn't positive`, span);
    return { k: 'len', start: 0, length };
  }
  if ((m = /^([+-]?\d+):$/.exec(text))) return { k: 'toEnd', start: int(m[1]!) };
  if ((m = /^([+-]?\d+)-([+-]?\d+)$/.exec(text))) {
    const start = int(m[1]!);
    const end = int(m[2]!);
    if (start >= end) throw new ParseError(`Range ${text} isn't valid because ${start} is greater or equal than ${end}`, span);
    return { k: 'end', start, end };
  }
  if ((m = /^[+-]?\d+$/.exec(text))) return { k: 'len', start: int(text), length: 1 };
  if (/^[+-]?[^\d:-]/.test(text)) throw new ParseError(`"${text}" is not a valid number.`, span);
  throw new ParseError(`"${text}" is not a valid range.`, span);
}

function withSpan(v: SyntaxValue, span: Span): SyntaxValue {
  return { ...v, span } as SyntaxValue;
}

export function spanOf(v: SyntaxValue): Span {
  return v.span;
}

export function spanOfExpr(e: SyntaxExpr): Span {
  return e.span;
}

function join(a: Span, b: Span): Span {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}
