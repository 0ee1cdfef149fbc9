// strace-style rendering of a whole call and of its return value.

import {
  formatBufferAt,
  formatCStringAt,
  formatScalarAt,
  formatSigsetAt,
  formatStringArrayAt,
  formatStructArrayAt,
  formatStructAt,
  type Limits,
} from "./format-memory.js";
import { formatNumber, formatWithSet } from "./format-value.js";
import { isHidden } from "./hidden-args.js";
import { errnoByNumber, structLayoutByName, syscallByNumber } from "./lookup.js";
import type { MemoryReader } from "./memory.js";
import { hex, signed64, toRegister } from "./numbers.js";
import type { ArgInfo, Direction, SyscallInfo } from "./types.js";

/** A raw register value. */
export type RegisterValue = bigint | number;

export interface FormatCallOptions {
  /**
   * "entry" (default): the call is about to run, so memory the kernel will write (`out`
   * pointers and buffers) is shown as an address. "exit": the call has returned, so it is decoded.
   */
  readonly phase?: "entry" | "exit";
  /**
   * The call's raw return value, at exit. It sizes out buffers (`read` returns how many bytes it
   * wrote) and out arrays (`epoll_wait` returns how many events), and a failed call's out
   * pointers stay addresses because the kernel wrote nothing.
   */
  readonly returnValue?: RegisterValue;
  /** Bytes of a string or buffer shown before `...` (default 32, like strace -s). */
  readonly stringLimit?: number;
  /** Elements of an array shown before `...` (default 32). */
  readonly arrayLimit?: number;
  /** Print `name=value` for every argument (default false). */
  readonly argNames?: boolean;
}

const DEFAULT_LIMITS: Limits = { string: 32, path: 4096, array: 32 };
const MAX_ERRNO = 4095n;

interface Context {
  readonly call: SyscallInfo;
  readonly regs: readonly bigint[];
  readonly read: MemoryReader | undefined;
  readonly limits: Limits;
  /** Whether memory the kernel writes may be decoded now. */
  readonly outReady: boolean;
  /** The successful return value at exit, if known. */
  readonly result: bigint | undefined;
}

const decodes = (dir: Direction, ctx: Context): boolean => dir !== "out" || ctx.outReady;

function formatArg(arg: ArgInfo, index: number, ctx: Context): string {
  const raw = ctx.regs[index] ?? 0n;
  const reg = (i: number): bigint => ctx.regs[i] ?? 0n;
  const k = arg.kind;
  switch (k.kind) {
    case "path":
      return formatCStringAt(ctx.read, raw, ctx.limits.path);
    case "str":
      return formatCStringAt(ctx.read, raw, ctx.limits.string);
    case "strarray":
      return formatStringArrayAt(ctx.read, raw, ctx.limits);
    case "sigset":
      return formatSigsetAt(ctx.read, raw);
    case "in_buf":
      return formatBufferAt(ctx.read, raw, reg(k.len), ctx.limits.string);
    case "out_buf": {
      if (!ctx.outReady) return formatNumber("ptr", raw);
      // After the call only the bytes the kernel wrote are meaningful.
      const len = ctx.result !== undefined && ctx.result < reg(k.len) ? ctx.result : reg(k.len);
      return formatBufferAt(ctx.read, raw, len, ctx.limits.string);
    }
    case "scalar":
      return decodes(k.dir, ctx)
        ? formatScalarAt(ctx.read, raw, k.scalar)
        : formatNumber("ptr", raw);
    case "struct": {
      if (!decodes(k.dir, ctx)) return formatNumber("ptr", raw);
      const layout = structLayoutByName(k.struct);
      if (!layout) throw new Error(`no struct layout named ${k.struct}`);
      if (k.count !== undefined) {
        let count = reg(k.count);
        if (k.dir === "out" && ctx.result !== undefined && ctx.result < count) count = ctx.result;
        return formatStructArrayAt(ctx.read, raw, layout, count, ctx.limits.array);
      }
      return formatStructAt(
        ctx.read,
        raw,
        layout,
        k.sizeArg === undefined ? undefined : reg(k.sizeArg),
      );
    }
    case "flags":
    case "enum":
      return formatWithSet(k.kind, k.set, raw);
    default:
      return formatNumber(k.kind, raw);
  }
}

function limitsFrom(options: FormatCallOptions | undefined): Limits {
  return {
    string: options?.stringLimit ?? DEFAULT_LIMITS.string,
    path: DEFAULT_LIMITS.path,
    array: options?.arrayLimit ?? DEFAULT_LIMITS.array,
  };
}

/** The successful result at exit, or undefined (not at exit, not given, or an error). */
function successfulResult(options: FormatCallOptions | undefined): {
  failed: boolean;
  result: bigint | undefined;
} {
  if (options?.phase !== "exit" || options.returnValue === undefined)
    return { failed: false, result: undefined };
  const value = signed64(toRegister(options.returnValue));
  if (value < 0n && value >= -MAX_ERRNO) return { failed: true, result: undefined };
  return { failed: false, result: value >= 0n ? value : undefined };
}

/**
 * Render a syscall the way strace does: `openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC)`.
 * `args` are the raw argument registers (rdi, rsi, rdx, r10, r8, r9); `readMemory` reads the
 * traced application's memory; without it (or when it fails) pointers print as addresses.
 * Unknown numbers print as `syscall_0x1234(0x1, ...)` with all six registers. Like strace,
 * open's mode is left out unless the flags create a file.
 */
export function formatCall(
  nr: number,
  args: readonly RegisterValue[],
  readMemory?: MemoryReader,
  options?: FormatCallOptions,
): string {
  const regs = args.map(toRegister);
  const call = syscallByNumber(nr);
  if (!call) {
    const six = Array.from({ length: 6 }, (_, i) => hex(regs[i] ?? 0n));
    return `syscall_${hex(BigInt(nr))}(${six.join(", ")})`;
  }
  const { failed, result } = successfulResult(options);
  const ctx: Context = {
    call,
    regs,
    read: readMemory,
    limits: limitsFrom(options),
    outReady: options?.phase === "exit" && !failed,
    result,
  };
  const rendered: string[] = [];
  call.args.forEach((arg, i) => {
    if (isHidden(call.name, i, regs)) return;
    const value = formatArg(arg, i, ctx);
    rendered.push(options?.argNames ? `${arg.name}=${value}` : value);
  });
  return `${call.name}(${rendered.join(", ")})`;
}

/**
 * Render a raw return value: `3`, `-1 ENOENT (No such file or directory)`, `0x7f12...` for
 * addresses, `?` for calls that do not return. Values -4095..-1 are errors, as in the kernel.
 */
export function formatReturn(nr: number, value: RegisterValue): string {
  const raw = toRegister(value);
  const signed = signed64(raw);
  const call = syscallByNumber(nr);
  if (call?.ret.kind === "noreturn") return "?";
  if (signed < 0n && signed >= -MAX_ERRNO) {
    const number = Number(-signed);
    const errno = errnoByNumber(number);
    return errno
      ? `-1 ${errno.name} (${errno.message})`
      : `-1 ERRNO_${number} (Unknown error ${number})`;
  }
  if (!call) return signed.toString();
  switch (call.ret.kind) {
    case "addr":
      return raw === 0n ? "0" : hex(raw);
    case "flags":
    case "enum":
      return formatWithSet(call.ret.kind, call.ret.set, raw);
    default:
      return signed.toString();
  }
}
