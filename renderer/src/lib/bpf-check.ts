/**
 * A quick check of a capture filter as you type: catches the usual slips (unbalanced
 * parentheses, a dangling and/or, a port out of range, a primitive missing its value). libpcap
 * has the final word when the capture starts; the API has no call to compile a filter without
 * starting one.
 */
export type BpfCheck = { readonly ok: true } | { readonly ok: false; readonly message: string };

const NEEDS_VALUE = new Set(['host', 'net', 'port', 'portrange', 'gateway', 'less', 'greater', 'proto', 'vlan', 'mpls']);
const BINARY = new Set(['and', 'or', '&&', '||']);

export function checkCaptureFilter(text: string): BpfCheck {
  const t = text.trim();
  if (!t) return { ok: true };
  const tokens = t.match(/\(|\)|&&|\|\||!=|==|<=|>=|[!<>=&|+\-*/[\]:]|[^\s()!<>=&|+\-*/[\]:]+/g) ?? [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    const low = tok.toLowerCase();
    const next = tokens[i + 1];
    if (tok === '(') depth++;
    if (tok === ')' && --depth < 0) return { ok: false, message: 'A ")" has no matching "(".' };
    if (NEEDS_VALUE.has(low) && (next === undefined || BINARY.has(next.toLowerCase()) || next === ')')) {
      return { ok: false, message: `"${tok}" needs a value (e.g. "${low} ${low === 'host' ? '127.0.0.1' : low === 'net' ? '10.0.0.0/8' : low === 'portrange' ? '3306-3310' : '3306'}").` };
    }
    if (low === 'port' && next !== undefined && /^\d+$/.test(next) && Number(next) > 65535) return { ok: false, message: `Port ${next} is out of range (0–65535).` };
    if (BINARY.has(low) && (i === 0 || next === undefined || BINARY.has(next.toLowerCase()) || next === ')')) {
      return { ok: false, message: `"${tok}" needs an expression on both sides.` };
    }
  }
  if (depth > 0) return { ok: false, message: 'A "(" is not closed.' };
  return { ok: true };
}
