// Emits docs/compat.md: what each status means, a count per status, and one row per syscall.

import { kindText } from "./kinds.mjs";

const STATUSES = [
  ["served", "Junction serves the call itself, in user space."],
  ["host", "Junction passes the call to the host kernel (the note says why)."],
  ["partial", "Junction serves the call with a gap (the note says what is missing)."],
  ["unsupported", "Not served yet: the call fails with `ENOSYS`."],
];

// Table cells must not break the row: escape the pipe and keep to one line.
const cell = (text) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function emitDocs(model, header) {
  const counts = Object.fromEntries(STATUSES.map(([s]) => [s, 0]));
  for (const call of model.syscalls) counts[call.status.kind]++;
  const out = [
    header,
    "",
    "# Syscall compatibility (Linux x86-64)",
    "",
    "Every syscall number the Linux kernel defines for x86-64, with how far Junction serves it.",
    "The statuses live in `tools/abi/linux-x86_64.abi` and are filled in as the Junction kernel",
    "learns to serve calls; a call without one is `unsupported`.",
    "",
    "| status | meaning |",
    "|---|---|",
    ...STATUSES.map(([s, meaning]) => `| ${s} | ${meaning} |`),
    "",
    "## Summary",
    "",
    "| status | syscalls |",
    "|---|---:|",
    ...STATUSES.map(([s]) => `| ${s} | ${counts[s]} |`),
    `| total | ${model.syscalls.length} |`,
    "",
    "## Syscalls",
    "",
    "| nr | name | arguments | status | note |",
    "|---:|---|---|---|---|",
  ];
  for (const call of model.syscalls) {
    const args = call.args.map((a) => `${a.name}: ${kindText(a.kind)}`).join(", ");
    const note = [call.status.reason, call.note].filter(Boolean).join("; ");
    out.push(
      `| ${call.nr} | \`${call.name}\` | ${cell(args)} | ${call.status.kind} | ${cell(note)} |`,
    );
  }
  out.push("");
  return out.join("\n");
}
