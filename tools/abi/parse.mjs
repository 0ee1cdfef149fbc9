// Parser for tools/abi/linux-x86_64.abi (format: tools/abi/README.md). It only builds the model;
// cross-references and numeric rules are checked in validate.mjs.

import { parseArgKind, parsePrint, parseRetKind } from "./kinds.mjs";
import { AbiError, expectIdent, parseNumber, splitComment, tokenize } from "./lex.mjs";

export const FIELD_TYPES = {
  u8: { size: 1, signed: false },
  u16: { size: 2, signed: false },
  u32: { size: 4, signed: false },
  u64: { size: 8, signed: false },
  i8: { size: 1, signed: true },
  i16: { size: 2, signed: true },
  i32: { size: 4, signed: true },
  i64: { size: 8, signed: true },
  ptr: { size: 8, signed: false },
};

/** Parse the whole source. Returns { model, errors }; errors are AbiError with line numbers. */
export function parseAbi(text) {
  const model = { errnos: [], signals: [], sets: [], structs: [], syscalls: [], hasEnd: false };
  const errors = [];
  const lines = text.split("\n");
  let block = null; // the open flags/enum/struct block

  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    const raw = lines[index];
    try {
      if (/^#\s*END\s*$/.test(raw.trim())) model.hasEnd = true;
      const { code, comment } = splitComment(raw, line);
      if (code.trim() === "") continue;
      if (block) {
        if (code.trim() === "end") {
          block = null;
          continue;
        }
        if (block.type === "struct") parseStructField(block.struct, code, line);
        else parseSetLine(block.set, code, line);
        continue;
      }
      const keyword = code.trim().split(/\s+/)[0];
      switch (keyword) {
        case "errno":
        case "signal":
          parseNumbered(keyword === "errno" ? model.errnos : model.signals, keyword, code, line);
          break;
        case "flags":
        case "enum": {
          const tokens = tokenize(code, line);
          if (tokens.length !== 2)
            throw new AbiError(line, `${keyword} block: expected "${keyword} NAME"`);
          const set = {
            name: expectIdent(tokens[1].word, line, `${keyword} name`),
            kind: keyword,
            entries: [],
            line,
          };
          model.sets.push(set);
          block = { type: "set", set, line };
          break;
        }
        case "struct": {
          const struct = parseStructHeader(code, line);
          model.structs.push(struct);
          block = { type: "struct", struct, line };
          break;
        }
        case "syscall":
          model.syscalls.push(parseSyscall(code, comment, line));
          break;
        case "end":
          throw new AbiError(line, "end without an open flags/enum/struct block");
        default:
          throw new AbiError(
            line,
            `unknown statement ${JSON.stringify(keyword)} (expected errno, signal, flags, enum, struct or syscall)`,
          );
      }
    } catch (error) {
      if (!(error instanceof AbiError)) throw error;
      errors.push(error);
    }
  }
  if (block)
    errors.push(
      new AbiError(
        block.line,
        `${block.type === "struct" ? "struct" : block.set.kind} block is never closed with "end"`,
      ),
    );
  return { model, errors };
}

// `errno NAME NUMBER "message"` or `errno ALIAS = NAME`
function parseNumbered(list, keyword, code, line) {
  const tokens = tokenize(code, line);
  const name = expectIdent(tokens[1]?.word, line, `${keyword} name`);
  if (tokens[2]?.word === "=") {
    if (tokens.length !== 4)
      throw new AbiError(line, `${keyword} alias: expected "${keyword} ALIAS = NAME"`);
    list.push({
      name,
      aliasOf: expectIdent(tokens[3].word, line, `${keyword} alias target`),
      line,
    });
    return;
  }
  if (tokens.length !== 4 || tokens[3].str === undefined || tokens[3].word !== undefined) {
    throw new AbiError(line, `${keyword}: expected "${keyword} NAME NUMBER \\"description\\""`);
  }
  const value = parseNumber(tokens[2].word, line, `${keyword} ${name} number`);
  list.push({ name, value: Number(value), message: tokens[3].str, line });
}

// One line inside a flags/enum block: `NAME=VALUE ...` or `field MASKNAME MASK NAME=VALUE|@signal ...`
function parseSetLine(set, code, line) {
  const tokens = tokenize(code, line).map((t) => {
    if (t.word === undefined || t.str !== undefined)
      throw new AbiError(line, `strings are not allowed inside ${set.kind} ${set.name}`);
    return t.word;
  });
  if (tokens[0] === "field") {
    if (set.kind !== "flags")
      throw new AbiError(line, `field is only allowed in a flags block (${set.name} is an enum)`);
    const field = {
      type: "field",
      name: expectIdent(tokens[1], line, "field mask name"),
      mask: parseNumber(tokens[2], line, `field ${tokens[1]} mask`),
      values: [],
      signal: false,
      line,
    };
    for (const token of tokens.slice(3)) {
      if (token === "@signal") field.signal = true;
      else field.values.push(parseAssignment(token, line));
    }
    if (!field.signal && field.values.length === 0)
      throw new AbiError(line, `field ${field.name} lists no values`);
    set.entries.push(field);
    return;
  }
  for (const token of tokens) set.entries.push({ type: "const", ...parseAssignment(token, line) });
}

function parseAssignment(token, line) {
  const eq = token.indexOf("=");
  if (eq <= 0) throw new AbiError(line, `expected NAME=VALUE, got ${JSON.stringify(token)}`);
  const name = expectIdent(token.slice(0, eq), line, "constant name");
  return { name, value: parseNumber(token.slice(eq + 1), line, `value of ${name}`), line };
}

// `struct NAME SIZE [c="C TYPE"] [packed]`
function parseStructHeader(code, line) {
  const tokens = tokenize(code, line);
  const struct = {
    name: expectIdent(tokens[1]?.word, line, "struct name"),
    size: Number(parseNumber(tokens[2]?.word, line, "struct size")),
    cName: null,
    packed: false,
    fields: [],
    line,
  };
  for (const token of tokens.slice(3)) {
    if (token.word === "c=" && token.str !== undefined) struct.cName = token.str;
    else if (token.word === "packed" && token.str === undefined) struct.packed = true;
    else
      throw new AbiError(
        line,
        `struct ${struct.name}: unexpected ${JSON.stringify(token.word ?? token.str)} (expected c="C TYPE" or packed)`,
      );
  }
  return struct;
}

// `NAME TYPE OFFSET [PRINT]`
function parseStructField(struct, code, line) {
  const tokens = tokenize(code, line).map((t) => t.word);
  if (tokens.length < 3 || tokens.length > 4 || tokens.includes(undefined)) {
    throw new AbiError(line, `struct ${struct.name} field: expected "NAME TYPE OFFSET [PRINT]"`);
  }
  const [name, typeText, offsetText, printText] = tokens;
  expectIdent(name, line, "field name");
  let type;
  const array = /^u8\[(\d+)\]$/.exec(typeText);
  if (array) type = { base: "u8", count: Number(array[1]) };
  else if (typeText in FIELD_TYPES) type = { base: typeText, count: null };
  else
    throw new AbiError(
      line,
      `field ${name}: unknown type ${JSON.stringify(typeText)} (expected ${Object.keys(FIELD_TYPES).join(" ")} or u8[N])`,
    );
  const offset = Number(parseNumber(offsetText, line, `field ${name} offset`));
  const print = printText === undefined ? null : parsePrint(printText, line);
  struct.fields.push({ name, type, offset, print, line });
}

// `syscall NR NAME(ARG: KIND, ...) -> RET [status=KIND ["reason"]]`
const SYSCALL = /^\s*syscall\s+(\S+)\s+([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)\s*->\s*(\S+)(.*)$/;

function parseSyscall(code, comment, line) {
  const m = SYSCALL.exec(code);
  if (!m)
    throw new AbiError(
      line,
      'syscall: expected "syscall NR NAME(ARG: KIND, ...) -> RET [status=...]"',
    );
  const [, nrText, name, argsText, retText, rest] = m;
  const nr = Number(parseNumber(nrText, line, `syscall ${name} number`));
  const args = splitArgs(argsText).map((text) => {
    const colon = text.indexOf(":");
    if (colon < 0)
      throw new AbiError(line, `${name}: argument ${JSON.stringify(text)} needs "NAME: KIND"`);
    const argName = expectIdent(text.slice(0, colon).trim(), line, `${name} argument name`);
    return { name: argName, kind: parseArgKind(text.slice(colon + 1).trim(), line) };
  });
  return {
    nr,
    name,
    args,
    ret: parseRetKind(retText, line),
    status: parseStatus(rest, name, line),
    note: comment,
    line,
  };
}

// Commas inside parentheses (in(sockaddr, addrlen)) do not split arguments.
function splitArgs(text) {
  if (text.trim() === "") return [];
  const parts = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")") depth--;
    else if (text[i] === "," && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

function parseStatus(rest, name, line) {
  const tokens = tokenize(rest, line);
  if (tokens.length === 0) return { kind: "unsupported", reason: null };
  const m = /^status=(served|host|partial|unsupported)$/.exec(tokens[0].word ?? "");
  if (!m || tokens[0].str !== undefined) {
    throw new AbiError(
      line,
      `${name}: expected status=served|host|partial|unsupported after the return kind, got ${JSON.stringify(tokens[0].word ?? tokens[0].str)}`,
    );
  }
  const kind = m[1];
  const reason = tokens[1]?.str ?? null;
  if (tokens.length > 2 || (tokens[1] && tokens[1].word !== undefined))
    throw new AbiError(line, `${name}: unexpected text after the status`);
  if ((kind === "host" || kind === "partial") && reason === null)
    throw new AbiError(line, `${name}: status=${kind} needs a "reason" string`);
  if ((kind === "served" || kind === "unsupported") && reason !== null)
    throw new AbiError(line, `${name}: status=${kind} takes no reason`);
  return { kind, reason };
}
