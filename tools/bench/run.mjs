// Runs every benchmark in tools/bench (each *.mjs file except this one), one after another,
// so that they do not compete for the CPU. `npm run bench` from the repository root.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const self = basename(fileURLToPath(import.meta.url));
const benches = readdirSync(here)
  .filter((f) => f.endsWith(".mjs") && f !== self)
  .sort();

let failed = 0;
for (const bench of benches) {
  console.log(`\n=== ${bench} ===`);
  const r = spawnSync(process.execPath, [join(here, bench)], {
    stdio: "inherit",
  });
  if (r.status !== 0) {
    console.error(`${bench} failed (exit ${r.status ?? r.signal})`);
    failed++;
  }
}
process.exit(failed === 0 ? 0 : 1);
