// Arguments strace leaves out because the kernel ignores them: open's mode is only read when
// the flags create a file (O_CREAT, or all of O_TMPFILE's bits). The table cannot say this, so
// it is a rule here, keyed by syscall name.

import { constantValue } from "./lookup.js";

interface HiddenRule {
  /** Index of the argument that may be hidden. */
  readonly hidden: number;
  /** Index of the flags argument that decides. */
  readonly flags: number;
}

const RULES: ReadonlyMap<string, HiddenRule> = new Map([
  ["open", { hidden: 2, flags: 1 }],
  ["openat", { hidden: 3, flags: 2 }],
  ["mq_open", { hidden: 2, flags: 1 }],
]);

/** True when argument `index` of call `name` should not be printed for these registers. */
export function isHidden(name: string, index: number, regs: readonly bigint[]): boolean {
  const rule = RULES.get(name);
  if (!rule || rule.hidden !== index) return false;
  const flags = regs[rule.flags] ?? 0n;
  const creat = constantValue("O_CREAT") ?? 0n;
  const tmpfile = constantValue("O_TMPFILE") ?? 0n;
  const creates = (flags & creat) !== 0n || (tmpfile !== 0n && (flags & tmpfile) === tmpfile);
  return !creates;
}
