/**
 * Display filters for the engine: check the text (shared/filter) and compile it to a predicate
 * over a dissected packet's tree.
 */
import { checkFilter, referencedFields, registryFields, type FieldSource } from '../../../shared/filter/index';
import type { CheckedExpr, FilterError } from '../../../shared/filter/ast';
import type { PacketTree } from '../decode/tree';
import { compileExpr } from './compile';

export { checkFilter, referencedFields } from '../../../shared/filter/index';
export type { FilterError } from '../../../shared/filter/ast';

export interface CompiledFilter {
  /** True when the packet passes the filter. */
  match(tree: PacketTree): boolean;
  /** Every field/protocol the filter reads (for fast paths over summary columns). */
  readonly fields: readonly string[];
  /** The filter text as given. */
  readonly text: string;
}

export type CompileResult = { ok: true; filter: CompiledFilter } | { ok: false; error: FilterError };

export function compileFilter(text: string, fields: FieldSource = registryFields): CompileResult {
  const checked = checkFilter(text, fields);
  if (!checked.ok) return checked;
  return { ok: true, filter: compileChecked(checked.ast, text) };
}

export function compileChecked(ast: CheckedExpr, text = ''): CompiledFilter {
  const match = compileExpr(ast);
  return { match, fields: referencedFields(ast), text };
}
