// Line-level lexing for the .abi format: comments, quoted strings, numbers.
// Kept apart from the grammar so the parser only sees tokens with their line numbers.

/** An error tied to a place in the source; the CLI prints it as `file:line: message`. */
export class AbiError extends Error {
  constructor(line, message) {
    super(message);
    this.line = line;
  }
}

/**
 * Split a raw line into its code and its trailing comment. `#` starts a comment only outside
 * a quoted string, so `"a#b"` stays whole.
 */
export function splitComment(raw, line) {
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
    } else if (ch === "#") {
      return { code: raw.slice(0, i), comment: raw.slice(i + 1).trim() };
    }
  }
  if (inString) throw new AbiError(line, "unterminated string");
  return { code: raw, comment: "" };
}

const SIMPLE_ESCAPES = {
  n: "\n",
  t: "\t",
  r: "\r",
  "\\": "\\",
  '"': '"',
  "'": "'",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
  0: "\0",
};

/** Decode the C escapes of a string body (without its quotes). */
export function unescapeC(body, line) {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== "\\") {
      out += ch;
      continue;
    }
    const next = body[++i];
    if (next === undefined) throw new AbiError(line, "string ends with a lone backslash");
    if (next === "x") {
      const hex = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1));
      if (!hex) throw new AbiError(line, "\\x needs hex digits");
      out += String.fromCharCode(Number.parseInt(hex[0], 16));
      i += hex[0].length;
    } else if (next in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[next];
    } else {
      throw new AbiError(line, `unknown escape \\${next} in string`);
    }
  }
  return out;
}

/**
 * Tokens of a line: whitespace separated words, and `"..."` strings (also when glued to a word,
 * as in `c="struct stat"`). Strings come back as { str } so the parser can tell them apart.
 */
export function tokenize(code, line) {
  const tokens = [];
  let i = 0;
  while (i < code.length) {
    if (/\s/.test(code[i])) {
      i++;
      continue;
    }
    let word = "";
    while (i < code.length && !/\s/.test(code[i])) {
      if (code[i] === '"') {
        let j = i + 1;
        while (j < code.length && code[j] !== '"') j += code[j] === "\\" ? 2 : 1;
        if (j >= code.length) throw new AbiError(line, "unterminated string");
        const str = unescapeC(code.slice(i + 1, j), line);
        i = j + 1;
        if (word === "") {
          tokens.push({ str });
          word = null;
        } else {
          tokens.push({ word, str });
          word = null;
        }
        break;
      }
      word += code[i++];
    }
    if (word) tokens.push({ word });
  }
  return tokens;
}

const NUMBER = /^(-?)(0x[0-9a-fA-F]+|0o[0-7]+|[0-9]+)$/;

/** Parse a decimal, 0x hex or 0o octal number, optionally negative, exactly (as a BigInt). */
export function parseNumber(text, line, what) {
  const m = NUMBER.exec(text ?? "");
  if (!m)
    throw new AbiError(
      line,
      `${what}: expected a number (decimal, 0x hex or 0o octal), got ${JSON.stringify(text ?? "")}`,
    );
  const body = m[2].startsWith("0o") ? `0o${m[2].slice(2)}` : m[2];
  const value = BigInt(body);
  return m[1] ? -value : value;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function expectIdent(text, line, what) {
  if (!text || !IDENT.test(text))
    throw new AbiError(line, `${what}: expected a name, got ${JSON.stringify(text ?? "")}`);
  return text;
}
