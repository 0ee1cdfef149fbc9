// Emits crates/abi/src/generated/*.rs from a validated model. The output is run through rustfmt
// by generate.mjs, so this code only has to be correct, not pretty.

import { fieldSize } from "./validate.mjs";

const RUST_KEYWORDS = new Set(
  "as break const continue crate else enum extern false fn for if impl in let loop match mod move mut pub ref return self Self static struct super trait true type unsafe use where while async await dyn abstract become box do final macro override priv typeof unsized virtual yield try".split(
    " ",
  ),
);

const rustIdent = (name) => (RUST_KEYWORDS.has(name) ? `r#${name}` : name);
const str = (s) => JSON.stringify(s); // JSON string escapes are valid Rust string escapes for this text
export const camel = (name) =>
  name
    .split("_")
    .filter(Boolean)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join("");
const setStatic = (name) => `sets::${name.toUpperCase()}`;
const layoutStatic = (name) => `structs::${name.toUpperCase()}`;
const u64Lit = (v) => `0x${BigInt.asUintN(64, v).toString(16)}`;

export function emitRust(model, header) {
  return {
    "mod.rs": emitMod(header),
    "syscalls.rs": emitSyscalls(model, header),
    "errno.rs": emitErrno(model, header),
    "signals.rs": emitSignals(model, header),
    "consts.rs": emitConsts(model, header),
    "sets.rs": emitSets(model, header),
    "structs.rs": emitStructs(model, header),
  };
}

function emitMod(header) {
  return `${header}
//! Tables generated from \`tools/abi/linux-x86_64.abi\`.

pub mod consts;
pub mod errno;
pub mod sets;
pub mod signals;
pub mod structs;
pub mod syscalls;
`;
}

function argKind(call, k) {
  const index = (name) => call.args.findIndex((a) => a.name === name);
  const dir = (d) => ({ in: "Direction::In", out: "Direction::Out", inout: "Direction::InOut" })[d];
  switch (k.kind) {
    case "in_buf":
      return `ArgKind::InBuf { len: ${index(k.len)} }`;
    case "out_buf":
      return `ArgKind::OutBuf { len: ${index(k.len)} }`;
    case "flags":
      return `ArgKind::Flags(&${setStatic(k.set)})`;
    case "enum":
      return `ArgKind::Enum(&${setStatic(k.set)})`;
    case "scalar":
      return `ArgKind::Scalar { dir: ${dir(k.dir)}, kind: ScalarKind::${camel(k.scalar)} }`;
    case "struct": {
      const count = k.count
        ? `StructCount::Array(${index(k.count)})`
        : k.sizeArg
          ? `StructCount::Sized(${index(k.sizeArg)})`
          : "StructCount::One";
      return `ArgKind::Struct { dir: ${dir(k.dir)}, layout: &${layoutStatic(k.struct)}, count: ${count} }`;
    }
    case "strarray":
      return "ArgKind::StrArray";
    default:
      return `ArgKind::${camel(k.kind)}`;
  }
}

function retKind(r) {
  if (r.kind === "flags") return `RetKind::Flags(&${setStatic(r.set)})`;
  if (r.kind === "enum") return `RetKind::Enum(&${setStatic(r.set)})`;
  if (r.kind === "noreturn") return "RetKind::NoReturn";
  return `RetKind::${camel(r.kind)}`;
}

function status(s) {
  if (s.kind === "host") return `Status::Host(${str(s.reason)})`;
  if (s.kind === "partial") return `Status::Partial(${str(s.reason)})`;
  return `Status::${camel(s.kind)}`;
}

function emitSyscalls(model, header) {
  const out = [
    header,
    "//! Syscall numbers and the syscall table.",
    "",
    "use super::{sets, structs};",
    "use crate::types::*;",
    "",
  ];
  for (const call of model.syscalls)
    out.push(
      `/// \`${call.name}\``,
      `pub const SYS_${call.name.toUpperCase()}: usize = ${call.nr};`,
    );
  out.push(
    "",
    "/// Every syscall, in number order (with the kernel's holes).",
    "pub static SYSCALLS: &[SyscallInfo] = &[",
  );
  for (const call of model.syscalls) {
    const args = call.args
      .map((a) => `ArgInfo { name: ${str(a.name)}, kind: ${argKind(call, a.kind)} }`)
      .join(", ");
    out.push(
      `SyscallInfo { nr: ${call.nr}, name: ${str(call.name)}, args: &[${args}], ret: ${retKind(call.ret)}, status: ${status(call.status)}, note: ${str(call.note)} },`,
    );
  }
  out.push("];", "");
  // Indexes into SYSCALLS sorted by name, so a name lookup is a binary search.
  const byName = model.syscalls
    .map((c, i) => [c.name, i])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  out.push(
    "/// Indexes into [`SYSCALLS`], sorted by syscall name.",
    `pub static BY_NAME: &[u16] = &[${byName.map((e) => e[1]).join(", ")}];`,
    "",
  );
  return out.join("\n");
}

function emitErrno(model, header) {
  const primaries = model.errnos.filter((e) => e.aliasOf === undefined);
  const aliases = model.errnos.filter((e) => e.aliasOf !== undefined);
  const out = [header, "//! Error numbers: the `Errno` enum, raw `E*` constants and aliases.", ""];
  out.push("/// An error number as the kernel returns it (negated) from a failed syscall.");
  out.push(
    "#[allow(clippy::upper_case_acronyms)]",
    "#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]",
    "#[repr(i32)]",
    "pub enum Errno {",
  );
  for (const e of primaries) out.push(`/// ${e.message}`, `${e.name} = ${e.value},`);
  out.push("}", "");
  out.push("impl Errno {");
  for (const a of aliases)
    out.push(
      `/// Alias of [\`Errno::${a.aliasOf}\`].`,
      `pub const ${a.name}: Errno = Errno::${a.aliasOf};`,
    );
  out.push(
    "",
    "/// The C name (`ENOENT`).",
    "pub const fn name(self) -> &'static str { match self {",
  );
  for (const e of primaries) out.push(`Errno::${e.name} => ${str(e.name)},`);
  out.push(
    "} }",
    "",
    "/// The message glibc's `strerror` gives.",
    "pub const fn message(self) -> &'static str { match self {",
  );
  for (const e of primaries) out.push(`Errno::${e.name} => ${str(e.message)},`);
  out.push(
    "} }",
    "",
    "/// The errno with this number, if the kernel defines one.",
    "pub const fn from_raw(raw: i32) -> Option<Errno> { match raw {",
  );
  for (const e of primaries) out.push(`${e.value} => Some(Errno::${e.name}),`);
  out.push("_ => None, } }", "}", "");
  out.push(
    "/// Every errno, in number order.",
    `pub static ERRNOS: &[Errno] = &[${primaries.map((e) => `Errno::${e.name}`).join(", ")}];`,
    "",
  );
  out.push(
    "/// Alternative names: (alias, primary).",
    `pub static ERRNO_ALIASES: &[(&str, Errno)] = &[${aliases.map((a) => `(${str(a.name)}, Errno::${a.aliasOf})`).join(", ")}];`,
    "",
  );
  for (const e of primaries) out.push(`/// ${e.message}`, `pub const ${e.name}: i32 = ${e.value};`);
  for (const a of aliases)
    out.push(`/// Alias of [\`${a.aliasOf}\`].`, `pub const ${a.name}: i32 = ${a.aliasOf};`);
  out.push("");
  return out.join("\n");
}

export function realtimeRange(model) {
  const min = model.signals.find((s) => s.name === "SIGRTMIN");
  const max = model.signals.find((s) => s.name === "SIGRTMAX");
  return min && max ? { min: min.value, max: max.value } : null;
}

function emitSignals(model, header) {
  const primaries = model.signals.filter((s) => s.aliasOf === undefined);
  const aliases = model.signals.filter((s) => s.aliasOf !== undefined);
  const out = [header, "//! Signal numbers and names.", "", "use crate::types::SignalInfo;", ""];
  for (const s of primaries) out.push(`/// ${s.message}`, `pub const ${s.name}: i32 = ${s.value};`);
  for (const a of aliases)
    out.push(`/// Alias of [\`${a.aliasOf}\`].`, `pub const ${a.name}: i32 = ${a.aliasOf};`);
  out.push(
    "",
    "/// Every named signal, in number order.",
    "pub static SIGNALS: &[SignalInfo] = &[",
  );
  for (const s of primaries)
    out.push(
      `SignalInfo { number: ${s.value}, name: ${str(s.name)}, description: ${str(s.message)} },`,
    );
  out.push(
    "];",
    "",
    "/// Alternative names: (alias, number).",
    `pub static SIGNAL_ALIASES: &[(&str, i32)] = &[${aliases.map((a) => `(${str(a.name)}, ${a.aliasOf})`).join(", ")}];`,
    "",
  );
  // The real-time signals between SIGRTMIN and SIGRTMAX have no names of their own; they are
  // written relative to SIGRTMIN, as in `kill -l`.
  const rt = realtimeRange(model);
  const names = [];
  if (rt) for (let n = rt.min + 1; n < rt.max; n++) names.push(str(`SIGRTMIN+${n - rt.min}`));
  out.push(
    "/// Names of the signals strictly between `SIGRTMIN` and `SIGRTMAX`, from `SIGRTMIN+1`.",
    `pub static REALTIME_NAMES: &[&str] = &[${names.join(", ")}];`,
    "",
  );
  return out.join("\n");
}

/** Every distinct constant over all sets: name -> { value, sets }. */
export function collectConstants(model) {
  const all = new Map();
  const add = (name, value, set) => {
    const seen = all.get(name);
    if (seen) {
      if (!seen.sets.includes(set)) seen.sets.push(set);
    } else all.set(name, { value, sets: [set] });
  };
  for (const set of model.sets) {
    for (const entry of set.entries) {
      if (entry.type === "field") {
        add(entry.name, entry.mask, set.name);
        for (const v of entry.values) add(v.name, v.value, set.name);
      } else add(entry.name, entry.value, set.name);
    }
  }
  return all;
}

function emitConsts(model, header) {
  const out = [
    header,
    "//! Every flag and enum constant of the constant sets, flat. The type is `u64` (what a",
    "//! register holds), except the few negative values, which are `i64`.",
    "",
  ];
  for (const [name, c] of collectConstants(model)) {
    const type = c.value < 0n ? "i64" : "u64";
    const lit = c.value < 0n ? c.value.toString() : u64Lit(c.value);
    out.push(
      `/// In ${c.sets.map((s) => `\`${s}\``).join(", ")}.`,
      `pub const ${name}: ${type} = ${lit};`,
    );
  }
  out.push("");
  return out.join("\n");
}

function emitSets(model, header) {
  const out = [
    header,
    "//! The constant sets as data, in print order, for printers and tracers.",
    "",
    "use crate::types::*;",
    "",
  ];
  const constant = (c) => `Constant { name: ${str(c.name)}, value: ${u64Lit(c.value)} }`;
  for (const set of model.sets) {
    const entries = set.entries.map((e) =>
      e.type === "field"
        ? `SetEntry::Field(Field { name: ${str(e.name)}, mask: ${u64Lit(e.mask)}, values: &[${e.values.map(constant).join(", ")}], signal: ${e.signal} })`
        : `SetEntry::Value(${constant(e)})`,
    );
    out.push(
      `/// \`${set.name}\``,
      `pub static ${set.name.toUpperCase()}: ConstSet = ConstSet { name: ${str(set.name)}, kind: SetKind::${camel(set.kind)}, entries: &[${entries.join(", ")}] };`,
    );
  }
  out.push(
    "",
    "/// Every constant set, in source order.",
    `pub static CONST_SETS: &[&ConstSet] = &[${model.sets.map((s) => `&${s.name.toUpperCase()}`).join(", ")}];`,
    "",
  );
  return out.join("\n");
}

const RUST_FIELD_TYPES = {
  u8: "u8",
  u16: "u16",
  u32: "u32",
  u64: "u64",
  i8: "i8",
  i16: "i16",
  i32: "i32",
  i64: "i64",
  ptr: "u64",
};

function fieldPrint(p) {
  if (!p) return "FieldPrint::Default";
  if (p.kind === "flags")
    return `FieldPrint::Flags(&${setStatic(p.set).replace("sets::", "super::sets::")})`;
  if (p.kind === "enum")
    return `FieldPrint::Enum(&${setStatic(p.set).replace("sets::", "super::sets::")})`;
  return `FieldPrint::${camel(p.kind)}`;
}

/** Fields plus explicit padding members, so the Rust layout is exactly the source's. */
export function withPadding(struct) {
  const members = [];
  let at = 0;
  for (const field of struct.fields) {
    if (field.offset > at)
      members.push({ pad: true, name: `_pad${at}`, offset: at, size: field.offset - at });
    members.push({
      pad: false,
      field,
      name: field.name,
      offset: field.offset,
      size: fieldSize(field.type),
    });
    at = field.offset + fieldSize(field.type);
  }
  if (struct.size > at)
    members.push({ pad: true, name: `_pad${at}`, offset: at, size: struct.size - at });
  return members;
}

function emitStructs(model, header) {
  const out = [
    header,
    "//! `#[repr(C)]` structs with explicit padding, their layouts as data, and compile-time checks",
    "//! that the Rust layout is the source's. Pointer fields are `u64`: they hold addresses in the",
    "//! application's memory, which are never dereferenced as Rust pointers.",
    "",
    "use crate::types::*;",
    "",
  ];
  for (const struct of model.structs) {
    const type = camel(struct.name);
    const members = withPadding(struct);
    const rustType = (m) =>
      m.pad
        ? `[u8; ${m.size}]`
        : m.field.type.count !== null
          ? `[u8; ${m.field.type.count}]`
          : RUST_FIELD_TYPES[m.field.type.base];
    const c = struct.cName ? ` (C: \`${struct.cName}\`)` : "";
    out.push(`/// \`${struct.name}\`, ${struct.size} bytes${c}.`);
    out.push(
      "#[derive(Debug, Clone, Copy, PartialEq, Eq)]",
      struct.packed ? "#[repr(C, packed)]" : "#[repr(C)]",
      `pub struct ${type} {`,
    );
    for (const m of members)
      out.push(
        m.pad ? "/// Padding." : `/// \`${m.name}\` at ${m.offset}.`,
        `pub ${rustIdent(m.name)}: ${rustType(m)},`,
      );
    out.push("}", "");
    out.push(`impl ${type} {`, "/// Size in bytes.", `pub const SIZE: usize = ${struct.size};`, "");
    out.push("/// All fields zero.", "pub const fn zeroed() -> Self {", `${type} {`);
    for (const m of members)
      out.push(
        `${rustIdent(m.name)}: ${m.pad || m.field.type.count !== null ? `[0; ${m.pad ? m.size : m.field.type.count}]` : "0"},`,
      );
    out.push("}", "}", "");
    out.push(
      "/// Decode from little-endian bytes (at least [`Self::SIZE`] of them), as read from",
      "/// application memory.",
      "pub fn from_le_bytes(bytes: &[u8]) -> Option<Self> {",
    );
    out.push(`let bytes = bytes.get(..${struct.size})?;`, `Some(${type} {`);
    for (const m of members) {
      const range = `bytes.get(${m.offset}..${m.offset + m.size})?`;
      if (m.pad || m.field.type.count !== null)
        out.push(`${rustIdent(m.name)}: ${range}.try_into().ok()?,`);
      else
        out.push(`${rustIdent(m.name)}: ${rustType(m)}::from_le_bytes(${range}.try_into().ok()?),`);
    }
    out.push("})", "}", "}", "");
    out.push(`const _: () = assert!(core::mem::size_of::<${type}>() == ${struct.size});`);
    for (const m of members)
      out.push(
        `const _: () = assert!(core::mem::offset_of!(${type}, ${rustIdent(m.name)}) == ${m.offset});`,
      );
    out.push("");
    const fields = struct.fields.map((f) => {
      const ty =
        f.type.count !== null
          ? `FieldType::Bytes(${f.type.count})`
          : `FieldType::${camel(f.type.base)}`;
      return `FieldLayout { name: ${str(f.name)}, ty: ${ty}, offset: ${f.offset}, print: ${fieldPrint(f.print)} }`;
    });
    out.push(
      `/// Layout of [\`${type}\`].`,
      `pub static ${struct.name.toUpperCase()}: StructLayout = StructLayout { name: ${str(struct.name)}, size: ${struct.size}, c_name: ${struct.cName ? `Some(${str(struct.cName)})` : "None"}, packed: ${struct.packed}, fields: &[${fields.join(", ")}] };`,
      "",
    );
  }
  out.push(
    "/// Every struct layout, in source order.",
    `pub static STRUCTS: &[&StructLayout] = &[${model.structs.map((s) => `&${s.name.toUpperCase()}`).join(", ")}];`,
    "",
  );
  return out.join("\n");
}
