/**
 * Translate a PCRE pattern (what Wireshark's `matches` takes) into a JS RegExp source + flags.
 * Matching is case-insensitive by default, as in Wireshark; a leading `(?-i)` turns that off.
 * Constructs JS cannot express faithfully (possessive quantifiers, atomic groups, recursion,
 * conditionals, inline options after the start, \p without Unicode mode...) are refused with a
 * message rather than silently matching something else.
 */

export type RegexResult = { source: string; flags: string } | { error: string };

const POSIX: Readonly<Record<string, string>> = {
  alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z', xdigit: '0-9A-Fa-f',
  space: '\\s', blank: ' \\t', word: '\\w', cntrl: '\\x00-\\x1f\\x7f', print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e', punct: '!-\\/:-@\\[-`{-~', ascii: '\\x00-\\x7f',
};

const unsupported = (what: string): RegexResult => ({ error: `Regex compilation error: ${what} is not supported.` });

export function translatePcre(pattern: string): RegexResult {
  let i = 0;
  const flags = new Set<string>(['i']);
  // Leading option settings, e.g. (?-i) or (?s), apply to the whole pattern.
  for (let m; (m = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?\)/.exec(pattern.slice(i))); i += m[0].length) {
    for (const [set, on] of [[m[1] ?? '', true], [m[2] ?? '', false]] as const) {
      for (const f of set) {
        if (f !== 'i' && f !== 's' && f !== 'm') return unsupported(`the (?${f}) option`);
        if (on) flags.add(f); else flags.delete(f);
      }
    }
  }
  let out = '';
  let inClass = false;
  let lastQuantifiable = false; // the previous item was a quantifier (for possessive detection)
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '\\') {
      const e = pattern[i + 1];
      if (e === undefined) return { error: 'Regex compilation error: \\ at end of pattern.' };
      if (e === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const lit = pattern.slice(i + 2, end < 0 ? pattern.length : end);
        out += inClass ? lit.replace(/[\\\]^-]/g, '\\$&') : lit.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
        i = end < 0 ? pattern.length : end + 2;
        lastQuantifiable = false;
        continue;
      }
      if (e === 'x' && pattern[i + 2] === '{') {
        const m = /^\\x\{([0-9a-fA-F]{1,4})\}/.exec(pattern.slice(i));
        if (!m) return unsupported('\\x{...} beyond U+FFFF');
        out += '\\u' + m[1]!.padStart(4, '0');
        i += m[0].length;
        lastQuantifiable = false;
        continue;
      }
      let rep: string | undefined;
      if (!inClass) {
        if (e === 'A') rep = '(?<![\\s\\S])';
        else if (e === 'z') rep = '(?![\\s\\S])';
        else if (e === 'Z') rep = '(?=\\n?(?![\\s\\S]))';
        else if (e === 'R') rep = '(?:\\r\\n|[\\n\\v\\f\\r\\x85])';
      }
      if (e === 'h') rep = inClass ? '\\t \\xa0' : '[\\t \\xa0]';
      else if (e === 'e') rep = '\\x1b';
      else if (e === 'a' && !inClass) rep = '\\x07';
      if (rep === undefined && 'KGXCNpPoLlUuEg'.includes(e)) return unsupported(`\\${e}`);
      out += rep ?? '\\' + e;
      i += 2;
      lastQuantifiable = false;
      continue;
    }
    if (inClass) {
      if (c === '[' && pattern[i + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(pattern.slice(i));
        if (m) {
          if (m[1]) return unsupported('a negated POSIX class');
          const cls = POSIX[m[2]!];
          if (!cls) return { error: `Regex compilation error: unknown POSIX class name "${m[2]}".` };
          out += cls;
          i += m[0].length;
          continue;
        }
      }
      if (c === ']') inClass = false;
      out += c === '[' ? '\\[' : c;
      i++;
      lastQuantifiable = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += '[';
      i++;
      if (pattern[i] === '^') { out += '^'; i++; }
      // PCRE takes a ']' right after the opening bracket literally; JS would read an empty class.
      if (pattern[i] === ']') { out += '\\]'; i++; }
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2);
      if (rest.startsWith('#')) {
        const end = pattern.indexOf(')', i);
        i = end < 0 ? pattern.length : end + 1;
        continue;
      }
      if (rest.startsWith('P<')) { out += '(?<'; i += 4; continue; }
      const backref = /^P=([A-Za-z_][A-Za-z0-9_]*)\)/.exec(rest);
      if (backref) { out += `\\k<${backref[1]}>`; i += 2 + backref[0].length; lastQuantifiable = false; continue; }
      if (/^(:|=|!|<=|<!|<[A-Za-z_])/.test(rest)) { out += '(?'; i += 2; lastQuantifiable = false; continue; }
      if (rest.startsWith('>')) return unsupported('an atomic group (?>...)');
      if (rest.startsWith('(')) return unsupported('a conditional group');
      if (rest.startsWith('|')) return unsupported('a branch-reset group');
      if (/^([+-]?\d|R|&|P>)/.test(rest)) return unsupported('recursion');
      if (/^[a-zA-Z-]/.test(rest)) return unsupported('an inline option group after the start of the pattern');
      return { error: 'Regex compilation error: unrecognized character after (? or (?-.' };
    }
    if ((c === '+') && lastQuantifiable) return unsupported('a possessive quantifier');
    out += c;
    i++;
    if (c === '*' || c === '+' || c === '?') lastQuantifiable = true;
    else if (c === '}' && /\{\d+(,\d*)?\}$/.test(out)) lastQuantifiable = true;
    else lastQuantifiable = false;
    // "a*?" is lazy, and "a*?+" possessive-lazy does not exist; only the first char after a quantifier matters.
    if (c === '?' && /[*+?}]\?$/.test(out)) lastQuantifiable = false;
  }
  const jsFlags = [...flags].sort().join('');
  try {
    new RegExp(out, jsFlags);
  } catch (e) {
    const msg = e instanceof Error ? e.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '') : String(e);
    return { error: `Regex compilation error: ${msg}.` };
  }
  return { source: out, flags: jsFlags };
}
