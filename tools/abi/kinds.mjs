// The argument, return and field-print kinds of the .abi format, parsed into plain objects:
//   { kind: "fd" }                                  simple kinds
//   { kind: "in_buf" | "out_buf", len: "count" }    buffers, length in another argument
//   { kind: "struct", dir, struct, count?, sizeArg? } pointer to struct (or array of them)
//   { kind: "scalar", dir, scalar }                 pointer to one int/long/...
//   { kind: "flags" | "enum", set }                 constant sets

import { AbiError } from "./lex.mjs";

export const SIMPLE_ARG_KINDS = [
  "fd",
  "dirfd",
  "int",
  "uint",
  "long",
  "ulong",
  "size",
  "offset",
  "pid",
  "uid",
  "gid",
  "mode",
  "ptr",
  "path",
  "str",
  "strarray",
  "signal",
  "sigset",
];
export const SCALAR_KINDS = ["int", "uint", "long", "ulong", "fd", "offset", "size"];
export const PRINT_KINDS = ["mode", "hex", "fd", "signal", "sigset"];
export const RET_KINDS = ["int", "long", "fd", "ssize", "addr", "pid", "noreturn"];

const CALL = /^([a-z_]+)\((.*)\)$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseArgKind(text, line) {
  if (SIMPLE_ARG_KINDS.includes(text)) return { kind: text };
  const m = CALL.exec(text);
  if (!m) throw new AbiError(line, `unknown argument kind ${JSON.stringify(text)}`);
  const [, head, inner] = m;
  switch (head) {
    case "flags":
    case "enum":
      return { kind: head, set: name(inner, line, `${head}(SET)`) };
    case "in_buf":
    case "out_buf":
      return { kind: head, len: name(inner, line, `${head}(LEN)`) };
    case "in":
    case "out":
    case "inout":
      return pointerKind(head, inner.trim(), line);
    default:
      throw new AbiError(line, `unknown argument kind ${JSON.stringify(text)}`);
  }
}

// in(S), in(S[N]), in(S, LEN), in(int)
function pointerKind(dir, inner, line) {
  const array = /^([A-Za-z_][A-Za-z0-9_]*)\[(.*)\]$/.exec(inner);
  if (array)
    return {
      kind: "struct",
      dir,
      struct: array[1],
      count: name(array[2], line, `${dir}(S[N]) count`),
    };
  const comma = inner.indexOf(",");
  if (comma >= 0) {
    return {
      kind: "struct",
      dir,
      struct: name(inner.slice(0, comma), line, `${dir}(S, LEN)`),
      sizeArg: name(inner.slice(comma + 1), line, `${dir}(S, LEN) length`),
    };
  }
  if (SCALAR_KINDS.includes(inner)) return { kind: "scalar", dir, scalar: inner };
  return { kind: "struct", dir, struct: name(inner, line, `${dir}(S)`) };
}

function name(text, line, what) {
  const trimmed = text.trim();
  if (!NAME.test(trimmed))
    throw new AbiError(line, `${what}: expected a name, got ${JSON.stringify(trimmed)}`);
  return trimmed;
}

export function parsePrint(text, line) {
  if (PRINT_KINDS.includes(text)) return { kind: text };
  const m = CALL.exec(text);
  if (m && (m[1] === "flags" || m[1] === "enum"))
    return { kind: m[1], set: name(m[2], line, `${m[1]}(SET)`) };
  throw new AbiError(
    line,
    `unknown field print ${JSON.stringify(text)} (expected ${PRINT_KINDS.join(" ")}, flags(SET) or enum(SET))`,
  );
}

export function parseRetKind(text, line) {
  if (RET_KINDS.includes(text)) return { kind: text };
  const m = CALL.exec(text);
  if (m && (m[1] === "flags" || m[1] === "enum"))
    return { kind: m[1], set: name(m[2], line, `${m[1]}(SET)`) };
  throw new AbiError(
    line,
    `unknown return kind ${JSON.stringify(text)} (expected ${RET_KINDS.join(" ")} or flags(SET))`,
  );
}

/** The kind back in source syntax, for docs/compat.md. */
export function kindText(k) {
  switch (k.kind) {
    case "flags":
    case "enum":
      return `${k.kind}(${k.set})`;
    case "in_buf":
    case "out_buf":
      return `${k.kind}(${k.len})`;
    case "scalar":
      return `${k.dir}(${k.scalar})`;
    case "struct":
      if (k.count) return `${k.dir}(${k.struct}[${k.count}])`;
      if (k.sizeArg) return `${k.dir}(${k.struct}, ${k.sizeArg})`;
      return `${k.dir}(${k.struct})`;
    default:
      return k.kind;
  }
}
