// Runs every benchmark in tools/bench, one after another, so that they do not compete for
// the CPU: each *.mjs file except this one, and each directory's `run` script (the
// junction-kernel benchmarks: syscalls, cpu, startup), in name order. `npm run bench` from
// the repository root; `npm run bench -- NAME...` runs only the named ones (`syscalls`,
// `elf-vs-readelf.mjs`, ...).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const self = basename(fileURLToPath(import.meta.url));
const entries = readdirSync(here, { withFileTypes: true });
const benches = [
  ...entries
    .filter((e) => e.isFile() && e.name.endsWith(".mjs") && e.name !== self)
    .map((e) => ({ name: e.name, argv: [process.execPath, join(here, e.name)] })),
  ...entries
    .filter((e) => e.isDirectory() && existsSync(join(here, e.name, "run")))
    .map((e) => ({ name: e.name, argv: [join(here, e.name, "run")] })),
].sort((a, b) => a.name.localeCompare(b.name));

const only = process.argv.slice(2);
const unknown = only.filter((n) => !benches.some((b) => b.name === n));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark ${unknown.join(", ")}; have ${benches.map((b) => b.name).join(", ")}`,
  );
  process.exit(2);
}

let failed = 0;
for (const bench of benches) {
  if (only.length > 0 && !only.includes(bench.name)) continue;
  console.log(`\n=== ${bench.name} ===`);
  const r = spawnSync(bench.argv[0], bench.argv.slice(1), { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`${bench.name} failed (exit ${r.status ?? r.signal})`);
    failed++;
  }
}
process.exit(failed === 0 ? 0 : 1);
