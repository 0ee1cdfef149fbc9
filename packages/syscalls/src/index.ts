// @junction/syscalls: the x86-64 Linux syscall table, errno and signals, and an strace-style
// call formatter. The tables are generated from tools/abi/linux-x86_64.abi.

export { escapeBytes } from "./escape.js";
export type { FormatCallOptions, RegisterValue } from "./format-call.js";
export { formatCall, formatReturn } from "./format-call.js";
export { formatEnum, formatFlags, formatMode, formatSignal, formatSigset } from "./format-value.js";
export {
  constantValue,
  constSetByName,
  constSets,
  errnoByName,
  errnoByNumber,
  errnos,
  signalByName,
  signalByNumber,
  signals,
  structLayoutByName,
  structLayouts,
  syscallByName,
  syscallByNumber,
  syscalls,
} from "./lookup.js";
export type { MemoryReader } from "./memory.js";
export type * from "./types.js";
