/**
 * Display filters (Wireshark 4.0 syntax): check a filter's text and get either a checked tree or
 * an error with the character span to underline. Runs in the renderer too (no Node imports);
 * the engine compiles checked trees to predicates (electron/engine/filter).
 */
import { allFields, lookupField } from '../fields/registry';
import type { CheckedExpr, CheckedValue, FilterError } from './ast';
import { checkSyntax, CheckError } from './check';
import { parseFilter, ParseError } from './parser';
import { completeFieldFrom, type FieldCompletion, type FieldSource } from './suggest';

export type { CheckedExpr, CheckedValue, FilterError, Span, CmpOp, ValueKind, Constant } from './ast';
export type { FieldSource, FieldCompletion } from './suggest';

export type CheckResult = { ok: true; ast: CheckedExpr } | { ok: false; error: FilterError };

/** The field registry as a FieldSource. */
export const registryFields: FieldSource = { lookup: lookupField, all: allFields };

export function checkFilter(text: string, fields: FieldSource = registryFields): CheckResult {
  try {
    const syntax = parseFilter(text);
    if (!syntax) return { ok: true, ast: { k: 'true' } };
    return { ok: true, ast: checkSyntax(syntax, text, fields) };
  } catch (e) {
    if (e instanceof ParseError || e instanceof CheckError) {
      return { ok: false, error: { start: e.span.start, end: e.span.end, message: e.message } };
    }
    throw e;
  }
}

/**
 * Every field and protocol name the filter reads, in first-use order. A filter whose names are
 * all in a set of precomputed summary columns can be answered without re-dissecting.
 */
export function referencedFields(ast: CheckedExpr): string[] {
  const out = new Set<string>();
  const value = (v: CheckedValue): void => {
    switch (v.k) {
      case 'field': out.add(v.def.name); break;
      case 'slice': value(v.of); break;
      case 'call': v.args.forEach(value); break;
      case 'arith': value(v.l); value(v.r); break;
      case 'neg': value(v.e); break;
      case 'const': break;
    }
  };
  const expr = (e: CheckedExpr): void => {
    switch (e.k) {
      case 'and': case 'or': case 'xor': expr(e.l); expr(e.r); break;
      case 'not': expr(e.e); break;
      case 'exists': out.add(e.field); break;
      case 'truthy': value(e.v); break;
      case 'cmp': case 'contains': value(e.l); value(e.r); break;
      case 'matches': value(e.l); break;
      case 'in': value(e.l); e.items.forEach((it) => { value(it.lo); if (it.hi) value(it.hi); }); break;
      case 'true': break;
    }
  };
  expr(ast);
  return [...out];
}

/** Field-name completion for the filter bar. */
export function completeField(prefix: string, limit = 50, fields: FieldSource = registryFields): FieldCompletion[] {
  return completeFieldFrom(fields, prefix, limit);
}
