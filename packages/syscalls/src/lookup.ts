// Lookups over the generated tables. Indexes are built once, at module load.

import { ERRNO_ALIASES, ERRNO_TABLE } from "./generated/errno.js";
import { CONST_SET_TABLE } from "./generated/sets.js";
import { REALTIME_RANGE, SIGNAL_ALIASES, SIGNAL_TABLE } from "./generated/signals.js";
import { STRUCT_TABLE } from "./generated/structs.js";
import { SYSCALL_TABLE } from "./generated/syscalls.js";
import type { ConstSet, ErrnoInfo, SignalInfo, StructLayout, SyscallInfo } from "./types.js";

/** Every x86-64 syscall in number order, with the kernel's holes. */
export const syscalls: readonly SyscallInfo[] = SYSCALL_TABLE;
/** Every errno in number order (aliases are in `errnoByName` only). */
export const errnos: readonly ErrnoInfo[] = ERRNO_TABLE;
/** Every named signal in number order. */
export const signals: readonly SignalInfo[] = SIGNAL_TABLE;
/** Every flags/enum set. */
export const constSets: readonly ConstSet[] = CONST_SET_TABLE;
/** Every struct layout. */
export const structLayouts: readonly StructLayout[] = STRUCT_TABLE;

const byNumber = new Map(SYSCALL_TABLE.map((s) => [s.nr, s]));
const byName = new Map(SYSCALL_TABLE.map((s) => [s.name, s]));
const errnoNumber = new Map(ERRNO_TABLE.map((e) => [e.number, e]));
const errnoName = new Map<string, ErrnoInfo>(ERRNO_TABLE.map((e) => [e.name, e]));
for (const alias of ERRNO_ALIASES) {
  const target = errnoName.get(alias.target);
  if (target) errnoName.set(alias.name, target);
}
const signalNumber = new Map(SIGNAL_TABLE.map((s) => [s.number, s]));
const signalName = new Map<string, SignalInfo>(SIGNAL_TABLE.map((s) => [s.name, s]));
for (const alias of SIGNAL_ALIASES) {
  const target = signalName.get(alias.target);
  if (target) signalName.set(alias.name, target);
}
const setByName = new Map(CONST_SET_TABLE.map((s) => [s.name, s]));
const structByName = new Map(STRUCT_TABLE.map((s) => [s.name, s]));
const constantByName = new Map<string, bigint>();
for (const set of CONST_SET_TABLE) {
  for (const entry of set.entries) {
    if (entry.type === "field") {
      constantByName.set(entry.name, entry.mask);
      for (const value of entry.values) constantByName.set(value.name, value.value);
    } else {
      constantByName.set(entry.name, entry.value);
    }
  }
}

/** The syscall with this number, or undefined for a hole or an unknown number. */
export function syscallByNumber(nr: number): SyscallInfo | undefined {
  return byNumber.get(nr);
}

/** The syscall with this name ("openat"). */
export function syscallByName(name: string): SyscallInfo | undefined {
  return byName.get(name);
}

/** The errno with this number (2 is ENOENT). */
export function errnoByNumber(number: number): ErrnoInfo | undefined {
  return errnoNumber.get(number);
}

/** The errno with this name, aliases included (EWOULDBLOCK gives EAGAIN's entry). */
export function errnoByName(name: string): ErrnoInfo | undefined {
  return errnoName.get(name);
}

/** The signal with this number. Real-time signals between SIGRTMIN and SIGRTMAX get a
 *  synthesized entry named SIGRTMIN+n, as `kill -l` names them. */
export function signalByNumber(number: number): SignalInfo | undefined {
  const named = signalNumber.get(number);
  if (named) return named;
  if (REALTIME_RANGE && number > REALTIME_RANGE.min && number < REALTIME_RANGE.max) {
    const n = number - REALTIME_RANGE.min;
    return { name: `SIGRTMIN+${n}`, number, description: `Real-time signal ${n}` };
  }
  return undefined;
}

/** The signal with this name, aliases and SIGRTMIN+n included. */
export function signalByName(name: string): SignalInfo | undefined {
  const named = signalName.get(name);
  if (named) return named;
  const rt = /^SIGRTMIN\+([1-9][0-9]*)$/.exec(name);
  return rt?.[1] && REALTIME_RANGE ? signalByNumber(REALTIME_RANGE.min + Number(rt[1])) : undefined;
}

/** The flags/enum set with this name ("open_flags"). */
export function constSetByName(name: string): ConstSet | undefined {
  return setByName.get(name);
}

/** The value of any constant of any set ("O_CLOEXEC"), field masks included. */
export function constantValue(name: string): bigint | undefined {
  return constantByName.get(name);
}

/** The struct layout with this name ("timespec"). */
export function structLayoutByName(name: string): StructLayout | undefined {
  return structByName.get(name);
}
