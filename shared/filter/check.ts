/**
 * Semantic check: resolve names against the field registry, decide what each unquoted word
 * means from what it is compared with, convert literals to values, and refuse what Wireshark
 * 4.0 refuses (with its wording, plus a "did you mean" for unknown names).
 */
import type { FieldDef } from '../fields/types';
import type {
  CheckedExpr, CheckedSetItem, CheckedValue, Constant, FunctionName, Span, SyntaxExpr, SyntaxValue, ValueKind,
} from './ast';
import { intRange, kindOf, typeName } from './kinds';
import { parseAbsTime, parseBytes, parseDouble, parseInteger, parseIPv4, parseIPv6, parseRelTime } from './literals';
import { translatePcre } from './regex';
import { suggestField, type FieldSource } from './suggest';

export class CheckError extends Error {
  constructor(message: string, readonly span: Span) {
    super(message);
  }
}

type Literal = Extract<SyntaxValue, { k: 'word' | 'string' | 'char' }>;

const FUNCTIONS: ReadonlySet<string> = new Set<FunctionName>(['len', 'count', 'upper', 'lower', 'string', 'min', 'max', 'abs']);

const utf8 = new TextDecoder('utf-8');

export function checkSyntax(expr: SyntaxExpr, text: string, fields: FieldSource): CheckedExpr {
  return new Checker(text, fields).expr(expr);
}

class Checker {
  constructor(private readonly text: string, private readonly fields: FieldSource) {}

  private src(span: Span): string {
    return this.text.slice(span.start, span.end);
  }

  private field(name: string): FieldDef | undefined {
    return this.fields.lookup(name);
  }

  private unknownName(text: string, span: Span): CheckError {
    const hint = suggestField(text, this.fields);
    return new CheckError(`${text} is neither a field nor a protocol name.${hint ? ` Did you mean ${hint}?` : ''}`, span);
  }

  expr(e: SyntaxExpr): CheckedExpr {
    switch (e.k) {
      case 'and':
      case 'or':
      case 'xor': return { k: e.k, l: this.expr(e.l), r: this.expr(e.r) };
      case 'not': return { k: 'not', e: this.expr(e.e) };
      case 'test': return this.test(e.v);
      case 'cmp': {
        const l = this.lhs(e.l, e.opText);
        if (l.kind === 'none') throw new CheckError(`${this.src(e.l.span)} (type=Label) cannot participate in ${e.opText} comparison.`, e.l.span);
        const r = this.operand(e.r, l);
        this.compatible(l, e.l.span, r, e.r.span);
        return { k: 'cmp', op: e.op, l, r };
      }
      case 'contains': {
        const l = this.lhs(e.l, e.opText);
        this.stringLike(l, e.l.span, 'contains');
        // The needle is any byte string, even in an Ethernet address.
        const r = this.operand(e.r, l.k === 'field' && l.def.type === 'ether' ? { k: 'slice', of: l, ranges: [], kind: 'bytes' } : l);
        this.compatible(l, e.l.span, r, e.r.span);
        return { k: 'contains', l, r };
      }
      case 'matches': {
        const l = this.lhs(e.l, e.opText);
        this.stringLike(l, e.l.span, 'matches');
        if (e.r.k !== 'string') throw new CheckError('Matches requires a double quoted string on the right side.', e.r.span);
        const re = translatePcre(utf8.decode(e.r.bytes));
        if ('error' in re) throw new CheckError(re.error, e.r.span);
        return { k: 'matches', l, source: re.source, flags: re.flags };
      }
      case 'in': {
        const l = this.lhs(e.l, 'in');
        if (l.kind === 'none') throw new CheckError(`${this.src(e.l.span)} (type=Label) cannot participate in in comparison.`, e.l.span);
        const items: CheckedSetItem[] = e.items.map((it) => {
          const lo = this.operand(it.lo, l);
          this.compatible(l, e.l.span, lo, it.lo.span);
          if (!it.hi) return { lo };
          const hi = this.operand(it.hi, l);
          this.compatible(l, e.l.span, hi, it.hi.span);
          return { lo, hi };
        });
        return { k: 'in', negated: e.negated, l, items };
      }
    }
  }

  private test(v: SyntaxValue): CheckedExpr {
    switch (v.k) {
      case 'word': {
        if (this.field(v.text)) return { k: 'exists', field: v.text };
        throw this.unknownName(v.text, v.span);
      }
      case 'slice': return { k: 'truthy', v: this.value(v) };
      case 'call': throw new CheckError('You cannot test whether a function is present.', v.nameSpan);
      case 'arith':
        if (v.op === '&') return { k: 'truthy', v: this.value(v) };
        throw new CheckError(`You cannot test whether an arithmetic expression is present; compare it with a value.`, v.span);
      case 'string':
      case 'char':
        throw new CheckError(`${this.src(v.span)} is neither a field nor a protocol name.`, v.span);
      case 'neg':
        throw new CheckError('You cannot test whether an arithmetic expression is present; compare it with a value.', v.span);
    }
  }

  /** The left side of a relation: anything but a literal. */
  private lhs(v: SyntaxValue, opText: string): CheckedValue {
    if (isLiteral(v) && !(v.k === 'word' && this.field(v.text))) {
      const word = v.k === 'word' ? v.text : undefined;
      const hint = word !== undefined && /[a-zA-Z]/.test(word) ? suggestField(word, this.fields) : undefined;
      if (hint) throw new CheckError(`${word} is neither a field nor a protocol name. Did you mean ${hint}?`, v.span);
      const shown = word ?? `"${this.src(v.span).replace(/^[rR]?"|"$/g, '')}"`;
      throw new CheckError(`Left side of "${opText}" expression must be a field or function, not ${shown}.`, v.span);
    }
    return this.value(v);
  }

  /** A right-hand operand: a field/function/slice, or a literal converted for `target`. */
  private operand(v: SyntaxValue, target: CheckedValue): CheckedValue {
    if (isLiteral(v) && !(v.k === 'word' && this.field(v.text))) return this.constant(v, target, false);
    return this.value(v, target);
  }

  /** A non-literal value (a literal is only accepted when `target` says what it should be). */
  private value(v: SyntaxValue, target?: CheckedValue): CheckedValue {
    switch (v.k) {
      case 'word': {
        const def = this.field(v.text);
        if (def) return { k: 'field', def, kind: kindOf(def.type) };
        if (target) return this.constant(v, target, false);
        throw this.unknownName(v.text, v.span);
      }
      case 'string':
      case 'char':
        if (target) return this.constant(v, target, false);
        throw new CheckError(`${this.src(v.span)} cannot be used here: a field or function is expected.`, v.span);
      case 'slice': {
        const of = this.value(v.of);
        if (of.kind !== 'bytes' && of.kind !== 'string' && of.kind !== 'ipv4' && of.kind !== 'ipv6') {
          const what = of.k === 'field' ? `"${of.def.name}" is a ${typeName(of.def)}` : `${this.src(v.of.span)} is not a string or byte sequence, it`;
          throw new CheckError(`${what} and cannot be sliced into a sequence of bytes.`, v.of.span);
        }
        return { k: 'slice', of, ranges: v.ranges, kind: 'bytes' };
      }
      case 'call': return this.call(v);
      case 'neg': {
        if (isLiteral(v.e) && !(v.e.k === 'word' && this.field(v.e.text))) {
          if (!target) throw new CheckError(`${this.src(v.span)} cannot be used here: a field or function is expected.`, v.span);
          return this.constant(v.e, target, true);
        }
        const e = this.value(v.e);
        if (e.kind !== 'int' && e.kind !== 'float') throw new CheckError(`${this.src(v.e.span)} cannot be negated: it is not a number.`, v.e.span);
        return { k: 'neg', e, kind: e.kind };
      }
      case 'arith': {
        const lLit = isLiteral(v.l) && !(v.l.k === 'word' && this.field(v.l.text));
        const rLit = isLiteral(v.r) && !(v.r.k === 'word' && this.field(v.r.text));
        let l: CheckedValue;
        let r: CheckedValue;
        if (!lLit) { l = this.value(v.l, target); r = this.operand(v.r, l); }
        else if (!rLit) { r = this.value(v.r, target); l = this.operand(v.l, r); }
        else if (target) { l = this.constant(v.l, target, false); r = this.constant(v.r, target, false); }
        else throw new CheckError(`Constant arithmetic expression ${this.src(v.span)} needs a field to compare with.`, v.span);
        const numeric = (x: CheckedValue) => x.kind === 'int' || x.kind === 'float' || (v.op === '&' && x.kind === 'bytes');
        if (!numeric(l)) throw new CheckError(`${this.src(v.l.span)} does not support the "${v.op}" operator.`, v.l.span);
        if (!numeric(r)) throw new CheckError(`${this.src(v.r.span)} does not support the "${v.op}" operator.`, v.r.span);
        if ((l.kind === 'bytes') !== (r.kind === 'bytes') || (v.op === '&' && (l.kind === 'float' || r.kind === 'float'))) {
          throw new CheckError(`${this.src(v.l.span)} and ${this.src(v.r.span)} are not of compatible types.`, v.r.span);
        }
        const kind: ValueKind = l.kind === 'float' || r.kind === 'float' ? 'float' : l.kind;
        return { k: 'arith', op: v.op, l, r, kind };
      }
    }
  }

  private call(v: Extract<SyntaxValue, { k: 'call' }>): CheckedValue {
    const fn = v.name.toLowerCase();
    if (!FUNCTIONS.has(fn)) throw new CheckError(`Function '${v.name}' does not exist`, v.nameSpan);
    const name = fn as FunctionName;
    const arity = (min: number, max: number) => {
      if (v.args.length < min || v.args.length > max) {
        const want = min === max ? `exactly ${min} argument${min === 1 ? '' : 's'}` : `at least ${min} argument${min === 1 ? '' : 's'}`;
        throw new CheckError(`Function ${v.name}() requires ${want}.`, v.span);
      }
    };
    switch (name) {
      case 'len':
      case 'count': {
        arity(1, 1);
        const a = v.args[0]!;
        if (!(a.k === 'word' && this.field(a.text))) {
          throw new CheckError(`Only fields can be used as parameter for ${name}()`, a.span);
        }
        return { k: 'call', fn: name, args: [this.value(a)], kind: 'int' };
      }
      case 'upper':
      case 'lower': {
        arity(1, 1);
        const a = this.value(v.args[0]!);
        if (a.kind !== 'string') throw new CheckError(`Function ${name}() takes a string, not ${this.src(v.args[0]!.span)}.`, v.args[0]!.span);
        return { k: 'call', fn: name, args: [a], kind: 'string' };
      }
      case 'string': {
        arity(1, 1);
        const a = this.value(v.args[0]!);
        const ok = a.k === 'field' && ['int', 'float', 'ipv4', 'ipv6'].includes(a.kind) && a.def.type !== 'rel_time'
          || (a.k === 'field' && a.def.type === 'ether');
        if (!ok) throw new CheckError(`String conversion for field "${this.src(v.args[0]!.span)}" is not supported`, v.args[0]!.span);
        return { k: 'call', fn: name, args: [a], kind: 'string' };
      }
      case 'abs': {
        arity(1, 1);
        const a = this.value(v.args[0]!);
        if (a.kind !== 'int' && a.kind !== 'float') throw new CheckError(`Function abs() takes a number, not ${this.src(v.args[0]!.span)}.`, v.args[0]!.span);
        return { k: 'call', fn: name, args: [a], kind: a.kind };
      }
      case 'min':
      case 'max': {
        arity(1, Infinity);
        const first = v.args.find((a) => !isLiteral(a) || (a.k === 'word' && this.field(a.text)));
        if (!first) throw new CheckError(`Function ${v.name}() needs at least one field argument.`, v.span);
        const f = this.value(first);
        if (f.kind !== 'int' && f.kind !== 'float' && f.kind !== 'time') {
          throw new CheckError(`Function ${v.name}() takes numbers, not ${this.src(first.span)}.`, first.span);
        }
        const args = v.args.map((a) => (a === first ? f : this.operand(a, f)));
        args.forEach((a, i) => this.compatible(f, first.span, a, v.args[i]!.span));
        return { k: 'call', fn: name, args, kind: f.kind };
      }
    }
  }

  private stringLike(l: CheckedValue, span: Span, op: string): void {
    if (l.kind === 'string' || l.kind === 'bytes') return;
    const t = l.k === 'field' ? typeName(l.def) : kindLabel(l.kind);
    throw new CheckError(`${this.src(span)} (type=${t}) cannot participate in ${op} comparison.`, span);
  }

  private compatible(l: CheckedValue, lspan: Span, r: CheckedValue, rspan: Span): void {
    if (r.k === 'const') return; // converted for l already
    const ok = l.kind === r.kind
      || (l.kind === 'int' && r.kind === 'float') || (l.kind === 'float' && r.kind === 'int')
      || (l.kind === 'int' && r.kind === 'bool') || (l.kind === 'bool' && r.kind === 'int');
    if (!ok) throw new CheckError(`${this.src(lspan)} and ${this.src(rspan)} are not of compatible types.`, rspan);
  }

  /** Convert a literal for comparison with `target` (Wireshark's per-ftype literal parsing). */
  private constant(v: Literal, target: CheckedValue, negate: boolean): CheckedValue {
    const def = targetDef(target, this.src.bind(this));
    const c = this.convert(v, def, target.kind, negate);
    return { k: 'const', c, kind: c.kind };
  }

  private convert(v: Literal, def: FieldDef, kind: ValueKind, negate: boolean): Constant {
    const span = v.span;
    const text = v.k === 'word' ? v.text : '';
    const str = v.k === 'string' ? utf8.decode(v.bytes) : '';
    const fromString = () => new CheckError(`${typeName(def)} cannot be converted from a string ("${str}").`, span);
    const fail = (m: string) => new CheckError(m, span);
    if (negate && kind !== 'int' && kind !== 'float') throw fail(`${this.src(span)} cannot be negated here.`);
    switch (kind) {
      case 'int': {
        let n: bigint | null = null;
        if (v.k === 'char') n = BigInt(v.value);
        else if (v.k === 'word') n = parseInteger(text);
        if (n === null) {
          const name = v.k === 'word' ? text : v.k === 'string' ? str : '';
          const named = def.values ? valueByName(def.values, name) : undefined;
          if (named !== undefined) n = BigInt(named);
          else if (def.values && !(v.k === 'word' && /^[0-9]/.test(text))) throw fail(`"${name}" cannot be found among the possible values for ${def.name}.`);
          else if (v.k === 'string') throw fromString();
          else throw fail(`"${text}" is not a valid number.`);
        }
        if (negate) n = -n;
        const { min, max } = intRange(def);
        if (n > max) throw fail(`"${this.src(span)}" too big for this field, maximum ${max}.`);
        if (n < min && min < 0n) throw fail(`"${negate ? '-' : ''}${this.src(span)}" too small for this field, minimum ${min}.`);
        return { kind: 'int', value: n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n };
      }
      case 'bool': {
        if (v.k === 'char') return { kind: 'bool', value: v.value !== 0 };
        const name = v.k === 'word' ? text : str;
        if (v.k === 'word') {
          const n = parseInteger(text);
          if (n !== null) return { kind: 'bool', value: n !== 0n };
        }
        if (name === 'True' || name === 'TRUE') return { kind: 'bool', value: true };
        if (name === 'False' || name === 'FALSE') return { kind: 'bool', value: false };
        const named = def.values ? valueByName(def.values, name) : undefined;
        if (named !== undefined) return { kind: 'bool', value: named !== 0 };
        throw fail(`"${name}" cannot be found among the possible values for ${def.name}.`);
      }
      case 'float': {
        if (v.k === 'string') throw fromString();
        if (v.k === 'char') return { kind: 'float', value: negate ? -v.value : v.value };
        const x = def.type === 'rel_time' ? parseRelTime(text) : parseDouble(text);
        if (x === null) throw fail(`"${text}" is not a valid ${def.type === 'rel_time' ? 'time' : 'number'}.`);
        return { kind: 'float', value: negate ? -x : x };
      }
      case 'time': {
        const t = v.k === 'string' ? parseAbsTime(str) : null;
        if (t === null) {
          const shown = v.k === 'string' ? str : this.src(span);
          throw fail(`"${shown}" is not a valid absolute time. Example: "Nov 12, 1999 08:55:44.123" or "2011-07-04 12:34:56"`);
        }
        return { kind: 'time', value: t };
      }
      case 'string': {
        if (v.k === 'string') return { kind: 'string', value: str };
        if (v.k === 'char') return { kind: 'string', value: String.fromCharCode(v.value) };
        return { kind: 'string', value: text };
      }
      case 'bytes': {
        if (def.type === 'ether') {
          if (v.k === 'string') throw fromString();
          const b = v.k === 'char' ? Uint8Array.of(v.value) : parseBytes(text);
          if (!b) throw fail(`"${text}" is not a valid Ethernet address.`);
          if (b.length < 6) throw fail(`"${this.src(span)}" contains too few bytes to be a valid Ethernet address.`);
          if (b.length > 6) throw fail(`"${this.src(span)}" contains too many bytes to be a valid Ethernet address.`);
          return { kind: 'bytes', value: b };
        }
        if (v.k === 'string') return { kind: 'bytes', value: v.bytes };
        if (v.k === 'char') return { kind: 'bytes', value: Uint8Array.of(v.value) };
        const b = parseBytes(text);
        if (!b) throw fail(`"${text}" is not a valid byte string.`);
        return { kind: 'bytes', value: b };
      }
      case 'ipv4': {
        if (v.k !== 'word') throw v.k === 'string' ? fromString() : fail(`${this.src(span)} is not a valid IPv4 address.`);
        const a = parseIPv4(text);
        if ('error' in a) throw fail(a.error);
        return { kind: 'ipv4', value: a.value, prefix: a.prefix };
      }
      case 'ipv6': {
        if (v.k !== 'word') throw v.k === 'string' ? fromString() : fail(`${this.src(span)} is not a valid IPv6 address.`);
        const a = parseIPv6(text);
        if ('error' in a) throw fail(a.error);
        return { kind: 'ipv6', value: a.value, prefix: a.prefix };
      }
      case 'none':
        throw fail(`${def.name} (type=Label) cannot be compared with a value.`);
    }
  }
}

function isLiteral(v: SyntaxValue): v is Literal {
  return v.k === 'word' || v.k === 'string' || v.k === 'char';
}

/** Value-string names match case-insensitively, as in Wireshark. */
function valueByName(values: Readonly<Record<number, string>>, name: string): number | undefined {
  const want = name.toLowerCase();
  for (const [k, label] of Object.entries(values)) if (label.toLowerCase() === want) return Number(k);
  return undefined;
}

/** The field whose literal syntax a constant compared with `target` must follow. */
function targetDef(target: CheckedValue, src: (s: Span) => string): FieldDef {
  if (target.k === 'field') return target.def;
  if (target.k === 'const') return { name: 'constant', label: 'constant', type: KIND_TYPE[target.kind] };
  if ((target.k === 'call' && (target.fn === 'min' || target.fn === 'max' || target.fn === 'abs'))) {
    const inner = target.args[0]!;
    if (inner.k === 'field') return { ...inner.def, values: undefined };
  }
  void src;
  return { name: target.k, label: target.k, type: KIND_TYPE[target.kind], bits: 64 };
}

const KIND_TYPE: Readonly<Record<ValueKind, FieldDef['type']>> = {
  int: 'int64', bool: 'bool', float: 'double', time: 'abs_time', string: 'string', bytes: 'bytes',
  ipv4: 'ipv4', ipv6: 'ipv6', none: 'none',
};

function kindLabel(kind: ValueKind): string {
  return typeName({ name: '', label: '', type: KIND_TYPE[kind] });
}
