// Printers for single values: numbers by kind, flags, enums, signals, sigsets and modes.
// They take already-read values; memory is the caller's business (format-memory.ts).

import { constSetByName, signalByNumber } from "./lookup.js";
import { hex, pointer, signed32, signed64, unsigned32 } from "./numbers.js";
import type { ConstSet, SimpleArgKind } from "./types.js";

const MASK32 = 0xffff_ffffn;
const AT_FDCWD = -100n;

// Sets whose every value fits in 32 bits are C `int`/`unsigned int` arguments: only the low 32
// bits of the register count (the kernel truncates them the same way).
const is32Bit = new WeakMap<ConstSet, boolean>();
function fits32(set: ConstSet): boolean {
  let known = is32Bit.get(set);
  if (known === undefined) {
    known = set.entries.every((e) =>
      e.type === "field"
        ? e.mask <= MASK32 && e.values.every((v) => v.value >= -(1n << 31n) && v.value <= MASK32)
        : e.value >= -(1n << 31n) && e.value <= MASK32,
    );
    is32Bit.set(set, known);
  }
  return known;
}

/** A bit set: fields and flags in the set's order, leftover bits in hex, zero by its name. */
export function formatFlags(set: ConstSet, raw: bigint): string {
  const value = fits32(set) ? raw & MASK32 : BigInt.asUintN(64, raw);
  const parts: string[] = [];
  let rest = value;
  let zeroName: string | undefined;
  for (const entry of set.entries) {
    if (entry.type === "value") {
      if (entry.value === 0n) zeroName ??= entry.name;
      // Match against the bits still unclaimed, so a wider flag listed first (O_SYNC) takes
      // its bits and the narrower one inside it (O_DSYNC) is not printed again.
      else if ((rest & entry.value) === entry.value) {
        parts.push(entry.name);
        rest &= ~entry.value;
      }
      continue;
    }
    const bits = rest & entry.mask;
    const shift = lowestBit(entry.mask);
    if (entry.signal) {
      // A zero signal field means "no signal", which prints as nothing.
      if (bits !== 0n) {
        const signal = signalByNumber(Number(bits >> shift));
        if (signal) {
          parts.push(signal.name);
          rest &= ~entry.mask;
        }
      }
      continue;
    }
    const named = entry.values.find((v) => v.value === bits);
    if (named) {
      parts.push(named.name);
      rest &= ~entry.mask;
    }
  }
  if (rest !== 0n) parts.push(hex(rest));
  if (parts.length === 0) return zeroName ?? "0";
  return parts.join("|");
}

function lowestBit(mask: bigint): bigint {
  let shift = 0n;
  while (((mask >> shift) & 1n) === 0n && shift < 64n) shift++;
  return shift;
}

/** One enum value by name; unknown values in hex. */
export function formatEnum(set: ConstSet, raw: bigint): string {
  const narrow = fits32(set);
  const value = narrow ? raw & MASK32 : BigInt.asUintN(64, raw);
  for (const entry of set.entries) {
    if (entry.type !== "value") continue;
    const candidate = narrow ? entry.value & MASK32 : BigInt.asUintN(64, entry.value);
    if (candidate === value) return entry.name;
  }
  return hex(value);
}

/** Format with a set found by name; an unknown set name is a bug in the tables. */
export function formatWithSet(kind: "flags" | "enum", name: string, raw: bigint): string {
  const set = constSetByName(name);
  if (!set) throw new Error(`no constant set named ${name}`);
  return kind === "flags" ? formatFlags(set, raw) : formatEnum(set, raw);
}

/** A signal number: SIGTERM, SIGRTMIN+3; 0 and unknown numbers in decimal. */
export function formatSignal(raw: bigint): string {
  const number = signed32(raw);
  return signalByNumber(Number(number))?.name ?? number.toString();
}

/** A kernel sigset: `[INT TERM]`; more than half the signals set prints the complement `~[...]`. */
export function formatSigset(mask: bigint): string {
  const bits = BigInt.asUintN(64, mask);
  const names = (set: bigint): string[] => {
    const out: string[] = [];
    for (let n = 1; n <= 64; n++) {
      if ((set >> BigInt(n - 1)) & 1n)
        out.push(signalByNumber(n)?.name.replace(/^SIG/, "") ?? String(n));
    }
    return out;
  };
  let count = 0;
  for (let n = 0n; n < 64n; n++) if ((bits >> n) & 1n) count++;
  if (count > 32) return `~[${names(~bits & ((1n << 64n) - 1n)).join(" ")}]`;
  return `[${names(bits).join(" ")}]`;
}

/** File mode bits as C's `%#03o` prints them, like strace: 0644, 04755, 000. */
export function formatMode(raw: bigint): string {
  const mode = unsigned32(raw);
  return (mode === 0n ? "0" : `0${mode.toString(8)}`).padStart(3, "0");
}

/** Scalar kinds that print from the register alone (plus `hex` for struct fields). */
export type NumberKind = Exclude<SimpleArgKind, "path" | "str" | "strarray" | "sigset"> | "hex";

export function formatNumber(kind: NumberKind, raw: bigint): string {
  switch (kind) {
    case "dirfd":
      return signed32(raw) === AT_FDCWD ? "AT_FDCWD" : signed32(raw).toString();
    case "fd":
    case "int":
    case "pid":
    case "uid":
    case "gid":
      return signed32(raw).toString();
    case "uint":
      return unsigned32(raw).toString();
    case "long":
    case "offset":
      return signed64(raw).toString();
    case "ulong":
    case "size":
      return BigInt.asUintN(64, raw).toString();
    case "mode":
      return formatMode(raw);
    case "ptr":
      return pointer(BigInt.asUintN(64, raw));
    case "signal":
      return formatSignal(raw);
    case "hex":
      return hex(BigInt.asUintN(64, raw));
  }
}
