// Emits packages/syscalls/src/generated/*.ts: the tables as typed literal data, one entry per
// line so diffs of the source table stay readable in the generated files too.

import { realtimeRange } from "./emit-rust.mjs";

const str = (s) => JSON.stringify(s);
const big = (v) => (v < 0n ? `-0x${(-v).toString(16)}n` : `0x${v.toString(16)}n`);

/** A plain JS value as TS source, with bigint support and stable key order. */
function lit(value) {
  if (typeof value === "bigint") return big(value);
  if (typeof value === "string") return str(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null)
    return String(value);
  if (Array.isArray(value)) return `[${value.map(lit).join(", ")}]`;
  const parts = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${lit(v)}`);
  return `{ ${parts.join(", ")} }`;
}

export function emitTs(model, header) {
  return {
    "syscalls.ts": emitSyscalls(model, header),
    "errno.ts": emitErrno(model, header),
    "signals.ts": emitSignals(model, header),
    "sets.ts": emitSets(model, header),
    "structs.ts": emitStructs(model, header),
  };
}

function tsArgKind(call, k) {
  const index = (name) => call.args.findIndex((a) => a.name === name);
  switch (k.kind) {
    case "in_buf":
    case "out_buf":
      return { kind: k.kind, len: index(k.len) };
    case "struct":
      return {
        kind: "struct",
        dir: k.dir,
        struct: k.struct,
        count: k.count ? index(k.count) : undefined,
        sizeArg: k.sizeArg ? index(k.sizeArg) : undefined,
      };
    default:
      return { ...k };
  }
}

function emitSyscalls(model, header) {
  const rows = model.syscalls.map((call) =>
    lit({
      nr: call.nr,
      name: call.name,
      args: call.args.map((a) => ({ name: a.name, kind: tsArgKind(call, a.kind) })),
      ret: call.ret,
      status: call.status.reason === null ? { kind: call.status.kind } : call.status,
      note: call.note,
    }),
  );
  return `${header}
import type { SyscallInfo } from "../types.js";

/** Every x86-64 syscall, in number order (with the kernel's holes). */
export const SYSCALL_TABLE: readonly SyscallInfo[] = [
${rows.map((r) => `  ${r},`).join("\n")}
];
`;
}

function emitErrno(model, header) {
  const primaries = model.errnos.filter((e) => e.aliasOf === undefined);
  const aliases = model.errnos.filter((e) => e.aliasOf !== undefined);
  return `${header}
import type { AliasInfo, ErrnoInfo } from "../types.js";

/** Every errno, in number order. */
export const ERRNO_TABLE: readonly ErrnoInfo[] = [
${primaries.map((e) => `  ${lit({ name: e.name, number: e.value, message: e.message })},`).join("\n")}
];

/** Alternative errno names (EWOULDBLOCK is EAGAIN). */
export const ERRNO_ALIASES: readonly AliasInfo[] = [
${aliases.map((a) => `  ${lit({ name: a.name, target: a.aliasOf })},`).join("\n")}
];
`;
}

function emitSignals(model, header) {
  const primaries = model.signals.filter((s) => s.aliasOf === undefined);
  const aliases = model.signals.filter((s) => s.aliasOf !== undefined);
  const rt = realtimeRange(model);
  return `${header}
import type { AliasInfo, SignalInfo } from "../types.js";

/** Every named signal, in number order. */
export const SIGNAL_TABLE: readonly SignalInfo[] = [
${primaries.map((s) => `  ${lit({ name: s.name, number: s.value, description: s.message })},`).join("\n")}
];

/** Alternative signal names (SIGIOT is SIGABRT). */
export const SIGNAL_ALIASES: readonly AliasInfo[] = [
${aliases.map((a) => `  ${lit({ name: a.name, target: a.aliasOf })},`).join("\n")}
];

/** The real-time range; signals strictly inside it are named SIGRTMIN+n. */
export const REALTIME_RANGE = ${rt ? lit(rt) : "null"} as const;
`;
}

function emitSets(model, header) {
  const rows = model.sets.map((set) => {
    const entries = set.entries.map((e) =>
      e.type === "field"
        ? {
            type: "field",
            name: e.name,
            mask: e.mask,
            values: e.values.map((v) => ({ name: v.name, value: v.value })),
            signal: e.signal,
          }
        : { type: "value", name: e.name, value: e.value },
    );
    return `  {\n    name: ${str(set.name)},\n    kind: ${str(set.kind)},\n    entries: [\n${entries.map((e) => `      ${lit(e)},`).join("\n")}\n    ],\n  },`;
  });
  return `${header}
import type { ConstSet } from "../types.js";

/** Every flags/enum set of the source table, entries in print order. */
export const CONST_SET_TABLE: readonly ConstSet[] = [
${rows.join("\n")}
];
`;
}

function emitStructs(model, header) {
  const rows = model.structs.map((s) => {
    const fields = s.fields.map((f) =>
      lit({
        name: f.name,
        type: f.type.base,
        count: f.type.count ?? undefined,
        offset: f.offset,
        print: f.print ?? undefined,
      }),
    );
    return `  {\n    name: ${str(s.name)},\n    size: ${s.size},\n    cName: ${lit(s.cName)},\n    packed: ${s.packed},\n    fields: [\n${fields.map((f) => `      ${f},`).join("\n")}\n    ],\n  },`;
  });
  return `${header}
import type { StructLayout } from "../types.js";

/** Every struct layout of the source table. */
export const STRUCT_TABLE: readonly StructLayout[] = [
${rows.join("\n")}
];
`;
}
