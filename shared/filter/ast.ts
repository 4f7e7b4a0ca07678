/**
 * Display-filter trees. The parser produces a syntax tree (names unresolved, literals as
 * written); the semantic check turns it into a checked tree whose fields are resolved in the
 * registry and whose literals are already converted to the value kind they are compared with,
 * so the engine only has to build closures.
 */
import type { FieldDef } from '../fields/types';

/** A span of the filter text, [start, end) in UTF-16 code units, for underlining errors. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface FilterError extends Span {
  readonly message: string;
}

/** Comparison operators after normalising the word/symbol spellings. */
export type CmpOp = 'any_eq' | 'all_ne' | 'all_eq' | 'any_ne' | 'gt' | 'ge' | 'lt' | 'le';
export type ArithOp = '+' | '-' | '*' | '/' | '%' | '&';

// ---------------------------------------------------------------------------------------------
// Syntax tree

export type SyntaxValue =
  /** An unquoted word: a field/protocol name or an unparsed literal (decided by the check). */
  | { readonly k: 'word'; readonly text: string; readonly span: Span }
  /** "..." or r"...": the bytes it denotes (escapes applied) and whether it was raw. */
  | { readonly k: 'string'; readonly bytes: Uint8Array; readonly raw: boolean; readonly span: Span }
  /** 'c': a character constant, an integer. */
  | { readonly k: 'char'; readonly value: number; readonly span: Span }
  | { readonly k: 'slice'; readonly of: SyntaxValue; readonly ranges: readonly SliceRange[]; readonly span: Span }
  | { readonly k: 'call'; readonly name: string; readonly nameSpan: Span; readonly args: readonly SyntaxValue[]; readonly span: Span }
  | { readonly k: 'arith'; readonly op: ArithOp; readonly l: SyntaxValue; readonly r: SyntaxValue; readonly span: Span }
  | { readonly k: 'neg'; readonly e: SyntaxValue; readonly span: Span };

/** One range of a slice, offsets as written (negative counts from the end). */
export type SliceRange =
  | { readonly k: 'len'; readonly start: number; readonly length: number } // [i:j], [i], [:j]
  | { readonly k: 'end'; readonly start: number; readonly end: number } // [i-j] (inclusive)
  | { readonly k: 'toEnd'; readonly start: number }; // [i:]

export interface SetItem {
  readonly lo: SyntaxValue;
  /** Upper bound of `lo..hi`, inclusive. */
  readonly hi?: SyntaxValue;
}

export type SyntaxExpr =
  | { readonly k: 'and' | 'or' | 'xor'; readonly l: SyntaxExpr; readonly r: SyntaxExpr; readonly span: Span }
  | { readonly k: 'not'; readonly e: SyntaxExpr; readonly span: Span }
  /** A value used as a test: field existence, a slice's existence, or `x & mask`. */
  | { readonly k: 'test'; readonly v: SyntaxValue; readonly span: Span }
  | { readonly k: 'cmp'; readonly op: CmpOp; readonly opText: string; readonly opSpan: Span; readonly l: SyntaxValue; readonly r: SyntaxValue; readonly span: Span }
  | { readonly k: 'contains' | 'matches'; readonly opText: string; readonly opSpan: Span; readonly l: SyntaxValue; readonly r: SyntaxValue; readonly span: Span }
  | { readonly k: 'in'; readonly negated: boolean; readonly opSpan: Span; readonly l: SyntaxValue; readonly items: readonly SetItem[]; readonly span: Span };

// ---------------------------------------------------------------------------------------------
// Checked tree

/**
 * How values of an expression behave at run time:
 * int: number|bigint; bool: boolean; float: number (seconds for relative times);
 * time: bigint ns since the epoch; string: JS string; bytes: Uint8Array;
 * ipv4: number (host order, unsigned); ipv6: Uint8Array(16); none: presence only.
 */
export type ValueKind = 'int' | 'bool' | 'float' | 'time' | 'string' | 'bytes' | 'ipv4' | 'ipv6' | 'none';

/** A converted literal. Addresses carry a prefix length (CIDR) used by equality tests. */
export type Constant =
  | { readonly kind: 'int'; readonly value: number | bigint }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'time'; readonly value: bigint }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'bytes'; readonly value: Uint8Array }
  | { readonly kind: 'ipv4'; readonly value: number; readonly prefix: number }
  | { readonly kind: 'ipv6'; readonly value: Uint8Array; readonly prefix: number };

export type FunctionName = 'len' | 'count' | 'upper' | 'lower' | 'string' | 'min' | 'max' | 'abs';

export type CheckedValue =
  | { readonly k: 'field'; readonly def: FieldDef; readonly kind: ValueKind }
  /** Bytes of a field or protocol, cut by the ranges. */
  | { readonly k: 'slice'; readonly of: CheckedValue; readonly ranges: readonly SliceRange[]; readonly kind: 'bytes' }
  | { readonly k: 'call'; readonly fn: FunctionName; readonly args: readonly CheckedValue[]; readonly kind: ValueKind }
  | { readonly k: 'arith'; readonly op: ArithOp; readonly l: CheckedValue; readonly r: CheckedValue; readonly kind: ValueKind }
  | { readonly k: 'neg'; readonly e: CheckedValue; readonly kind: ValueKind }
  | { readonly k: 'const'; readonly c: Constant; readonly kind: ValueKind };

export type CheckedSetItem = { readonly lo: CheckedValue; readonly hi?: CheckedValue };

export type CheckedExpr =
  | { readonly k: 'and' | 'or' | 'xor'; readonly l: CheckedExpr; readonly r: CheckedExpr }
  | { readonly k: 'not'; readonly e: CheckedExpr }
  /** Field or protocol present (any occurrence). */
  | { readonly k: 'exists'; readonly field: string }
  /** A value test: true if the value exists (slices) or is non-zero (`x & mask`). */
  | { readonly k: 'truthy'; readonly v: CheckedValue }
  | { readonly k: 'cmp'; readonly op: CmpOp; readonly l: CheckedValue; readonly r: CheckedValue }
  | { readonly k: 'contains'; readonly l: CheckedValue; readonly r: CheckedValue }
  /** Regular expression already translated to JS syntax (and validated) by the check. */
  | { readonly k: 'matches'; readonly l: CheckedValue; readonly source: string; readonly flags: string }
  | { readonly k: 'in'; readonly negated: boolean; readonly l: CheckedValue; readonly items: readonly CheckedSetItem[] }
  /** The empty filter: every packet passes. */
  | { readonly k: 'true' };
