// Printers for values that live in application memory: strings, buffers, string arrays,
// structs and struct arrays. Whatever cannot be read prints as its address.

import { quoteBytes } from "./escape.js";
import {
  formatMode,
  formatNumber,
  formatSignal,
  formatSigset,
  formatWithSet,
} from "./format-value.js";
import { constantValue, structLayoutByName } from "./lookup.js";
import { type MemoryReader, readBytes, readCString, readUint } from "./memory.js";
import { hex, pointer } from "./numbers.js";
import type { FieldLayout, ScalarKind, StructLayout } from "./types.js";

/** Limits that keep one printed call short, as strace's -s and array abbreviation do. */
export interface Limits {
  /** Bytes of a string or buffer shown before `...` (strace -s, default 32). */
  readonly string: number;
  /** Bytes of a path shown (PATH_MAX, 4096). */
  readonly path: number;
  /** Elements of an array shown before `...`. */
  readonly array: number;
}

/** A NUL-terminated string argument: path or str. */
export function formatCStringAt(
  read: MemoryReader | undefined,
  addr: bigint,
  limit: number,
): string {
  if (addr === 0n) return "NULL";
  const str = readCString(read, addr, limit);
  return str ? quoteBytes(str.bytes, str.truncated) : hex(addr);
}

/** `len` bytes at `addr`, the first `limit` of them quoted, `...` when there are more. */
export function formatBufferAt(
  read: MemoryReader | undefined,
  addr: bigint,
  len: bigint,
  limit: number,
): string {
  if (addr === 0n) return "NULL";
  const shown = len < BigInt(limit) ? Number(len) : limit;
  const bytes = readBytes(read, addr, shown);
  return bytes ? quoteBytes(bytes, len > BigInt(shown)) : hex(addr);
}

/** argv/envp: `["ls", "-l"]`. */
export function formatStringArrayAt(
  read: MemoryReader | undefined,
  addr: bigint,
  limits: Limits,
): string {
  if (addr === 0n) return "NULL";
  const items: string[] = [];
  for (let i = 0; ; i++) {
    const slot = readBytes(read, addr + BigInt(i * 8), 8);
    if (!slot) return i === 0 ? hex(addr) : `[${[...items, "..."].join(", ")}]`;
    const ptr = readUint(slot, 0, 8);
    if (ptr === 0n) break;
    if (i === limits.array) {
      items.push("...");
      break;
    }
    items.push(formatCStringAt(read, ptr, limits.string));
  }
  return `[${items.join(", ")}]`;
}

const SCALAR_SIZE: Readonly<Record<ScalarKind, number>> = {
  int: 4,
  uint: 4,
  fd: 4,
  long: 8,
  ulong: 8,
  offset: 8,
  size: 8,
};

/** A pointer to one scalar: `[3]`. */
export function formatScalarAt(
  read: MemoryReader | undefined,
  addr: bigint,
  kind: ScalarKind,
): string {
  if (addr === 0n) return "NULL";
  const bytes = readBytes(read, addr, SCALAR_SIZE[kind]);
  return bytes ? `[${formatNumber(kind, readUint(bytes, 0, SCALAR_SIZE[kind]))}]` : hex(addr);
}

/** A pointer to a kernel sigset (8 bytes). */
export function formatSigsetAt(read: MemoryReader | undefined, addr: bigint): string {
  if (addr === 0n) return "NULL";
  const bytes = readBytes(read, addr, 8);
  return bytes ? formatSigset(readUint(bytes, 0, 8)) : hex(addr);
}

const FIELD_SIZE = {
  u8: 1,
  u16: 2,
  u32: 4,
  u64: 8,
  i8: 1,
  i16: 2,
  i32: 4,
  i64: 8,
  ptr: 8,
} as const;

function formatField(field: FieldLayout, bytes: Uint8Array): string | null {
  const size = FIELD_SIZE[field.type] * (field.count ?? 1);
  if (field.count !== undefined) {
    // A byte array prints as a string up to its first NUL; a partly read one (a short
    // sockaddr_un) shows the part that was read.
    if (field.offset >= bytes.length) return null;
    const chunk = bytes.subarray(field.offset, Math.min(field.offset + size, bytes.length));
    const nul = chunk.indexOf(0);
    return quoteBytes(nul >= 0 ? chunk.subarray(0, nul) : chunk, false);
  }
  if (field.offset + size > bytes.length) return null;
  const unsigned = readUint(bytes, field.offset, size);
  const value = field.type.startsWith("i") ? BigInt.asIntN(size * 8, unsigned) : unsigned;
  const print = field.print;
  if (!print) return field.type === "ptr" ? pointer(value) : value.toString();
  switch (print.kind) {
    case "mode":
      return formatMode(value);
    case "hex":
      return hex(unsigned);
    case "fd":
      return value.toString();
    case "signal":
      return formatSignal(value);
    case "sigset":
      return formatSigset(unsigned);
    case "flags":
    case "enum":
      return formatWithSet(print.kind, print.set, unsigned);
  }
}

// A generic sockaddr is printed with the layout its family selects.
const SOCKADDR_VARIANTS: ReadonlyArray<readonly [string, string]> = [
  ["AF_UNIX", "sockaddr_un"],
  ["AF_INET", "sockaddr_in"],
  ["AF_INET6", "sockaddr_in6"],
];

function refine(layout: StructLayout, bytes: Uint8Array): StructLayout {
  if (layout.name !== "sockaddr" || bytes.length < 2) return layout;
  const family = BigInt(readUint(bytes, 0, 2));
  for (const [name, variant] of SOCKADDR_VARIANTS) {
    if (constantValue(name) === family) return structLayoutByName(variant) ?? layout;
  }
  return layout;
}

/** `{tv_sec=1, tv_nsec=500}` from the struct's bytes; fields beyond `bytes` are left out. */
export function formatStructBytes(layout: StructLayout, bytes: Uint8Array): string {
  const fields: string[] = [];
  for (const field of layout.fields) {
    const text = formatField(field, bytes);
    if (text !== null) fields.push(`${field.name}=${text}`);
  }
  return `{${fields.join(", ")}}`;
}

/** One struct at `addr`; `byteLength` (sockaddr's length argument) bounds what is read. */
export function formatStructAt(
  read: MemoryReader | undefined,
  addr: bigint,
  layout: StructLayout,
  byteLength?: bigint,
): string {
  if (addr === 0n) return "NULL";
  if (byteLength !== undefined) {
    // Read what the caller says is there (up to the largest variant), then pick the layout.
    const want = Number(byteLength < 128n ? byteLength : 128n);
    const bytes = readBytes(read, addr, want);
    if (!bytes) return hex(addr);
    return formatStructBytes(refine(layout, bytes), bytes);
  }
  const bytes = readBytes(read, addr, layout.size);
  return bytes ? formatStructBytes(layout, bytes) : hex(addr);
}

/** `count` structs at `addr`: `[{...}, {...}]`, abbreviated after `limit` elements. */
export function formatStructArrayAt(
  read: MemoryReader | undefined,
  addr: bigint,
  layout: StructLayout,
  count: bigint,
  limit: number,
): string {
  if (addr === 0n) return "NULL";
  const shown = count < BigInt(limit) ? Number(count) : limit;
  const bytes = readBytes(read, addr, shown * layout.size);
  if (!bytes) return hex(addr);
  const items: string[] = [];
  for (let i = 0; i < shown; i++) {
    items.push(formatStructBytes(layout, bytes.subarray(i * layout.size, (i + 1) * layout.size)));
  }
  if (count > BigInt(shown)) items.push("...");
  return `[${items.join(", ")}]`;
}
