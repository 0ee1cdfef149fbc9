// A stand-in for junction-kernel: a shell script whose behaviour is chosen by environment
// variables, so the CLI's exit/signal mirroring can be tested without the real kernel.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SCRIPT = `#!/bin/sh
case "\${FAKE_KERNEL_MODE:-args}" in
  args) for a in "$@"; do printf '%s\\n' "$a"; done ;;
  exit) echo "exiting with $FAKE_KERNEL_STATUS" >&2; exit "$FAKE_KERNEL_STATUS" ;;
  signal) kill -"$FAKE_KERNEL_SIGNAL" $$; sleep 5; exit 99 ;;
  cat) cat; echo "to stderr" >&2 ;;
  quiet) exit 0 ;;
  wait)
    trap 'echo "got INT"; exit 42' INT
    trap 'echo "got QUIT"; exit 43' QUIT
    echo "ready $$"
    i=0
    while [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    exit 98 ;;
esac
`;

export interface FakeKernel {
  /** The script's path, for JUNCTION_KERNEL or the `kernel` option. */
  path: string;
  /** A file that exists but is not executable (for EACCES). */
  notExecutable: string;
  /** A path where nothing exists. */
  missing: string;
  dispose(): void;
}

export function makeFakeKernel(): FakeKernel {
  const dir = mkdtempSync(join(tmpdir(), "junction-fake-kernel-"));
  const path = join(dir, "fake-kernel");
  writeFileSync(path, SCRIPT);
  chmodSync(path, 0o755);
  const notExecutable = join(dir, "not-executable");
  writeFileSync(notExecutable, SCRIPT);
  chmodSync(notExecutable, 0o644);
  return {
    path,
    notExecutable,
    missing: join(dir, "missing"),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
