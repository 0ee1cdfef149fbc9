// Benchmark: read the headers and symbol tables of every shared library in
// /usr/lib/x86_64-linux-gnu with @junction/elf and with binutils' `readelf -hlsW`.
//
//   node tools/bench/elf-vs-readelf.mjs [--rounds N] [--dir DIR]
//
// Needs the built package (`npm run build` in packages/elf) and readelf (binutils).
//
// What each side does per file, single-threaded:
//   @junction/elf  open (mmap) + file header + program headers + section headers + every
//                  .symtab and .dynsym entry decoded to a JS object with its name.
//   readelf -hlsW  file header, program headers (with the section-to-segment map, which needs
//                  the section headers) and every .symtab and .dynsym entry, formatted as text.
// readelf's output goes straight to /dev/null, so neither side pays for a pipe reader; readelf
// runs on batches of files (one process per 200 files) to keep process start-up from
// dominating. Rounds are interleaved and alternate which side goes first, so that drift on a
// shared machine hits both sides alike.
import { spawnSync } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { cpus, release } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const ROUNDS = Number(opt("--rounds", "7"));
const DIR = opt("--dir", "/usr/lib/x86_64-linux-gnu");
const BATCH = 200;

const distUrl = new URL("../../packages/elf/dist/index.js", import.meta.url);
let elfApi;
try {
  elfApi = await import(distUrl.href);
} catch (err) {
  console.error(
    `cannot load ${fileURLToPath(distUrl)}: run \`npm run build\` in packages/elf first`,
  );
  console.error(String(err));
  process.exit(1);
}
const { openElfSync } = elfApi;

if (spawnSync("readelf", ["--version"], { stdio: "ignore" }).status !== 0) {
  console.error("readelf not found (install binutils)");
  process.exit(1);
}

/** `*.so*` regular files (not symlinks) with the ELF64 magic, under DIR recursively. */
function sharedLibraries(dir) {
  const out = [];
  const head = Buffer.alloc(5);
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.so(\.|$)/.test(e.name)) {
        const fd = openSync(p, "r");
        const n = readSync(fd, head, 0, 5, 0);
        closeSync(fd);
        if (n === 5 && head.readUInt32BE(0) === 0x7f454c46 && head[4] === 2) out.push(p);
      }
    }
  };
  walk(dir);
  return out.sort();
}

const files = sharedLibraries(DIR);
const totalBytes = files.reduce((n, f) => n + statSync(f).size, 0);

/** Returns the number of symbols decoded; the header counts go into `touched` so that every
 * result is used. */
let touched = 0;
function runJunction() {
  let symbols = 0;
  for (const f of files) {
    const elf = openElfSync(f);
    touched += elf.header.ePhnum + elf.programHeaders.length + elf.sectionHeaders().length;
    symbols += elf.symbols("symtab").length;
    symbols += elf.symbols("dynsym").length;
  }
  return symbols;
}

function runReadelf() {
  const devnull = openSync("/dev/null", "w");
  try {
    for (let i = 0; i < files.length; i += BATCH) {
      const r = spawnSync("readelf", ["-hlsW", ...files.slice(i, i + BATCH)], {
        stdio: ["ignore", devnull, "ignore"],
      });
      if (r.status !== 0) throw new Error(`readelf exited with ${r.status}`);
    }
  } finally {
    closeSync(devnull);
  }
}

function time(fn) {
  const t0 = performance.now();
  const result = fn();
  return { ms: performance.now() - t0, result };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function machine() {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? "unknown";
  const readelfVersion = spawnSync("readelf", ["--version"], { encoding: "utf8" }).stdout.split(
    "\n",
  )[0];
  return {
    cpu: model,
    cores: cpus().length,
    kernel: `${process.platform} ${release()}`,
    node: process.version,
    readelf: readelfVersion,
  };
}

const m = machine();
console.log("elf-vs-readelf: headers + symbol tables of every shared library");
console.log(`  cpu     ${m.cpu} (${m.cores} logical cores visible)`);
console.log(`  kernel  ${m.kernel}`);
console.log(`  node    ${m.node}`);
console.log(`  readelf ${m.readelf}`);
console.log(
  `  files   ${files.length} *.so* ELF64 files under ${DIR}, ${(totalBytes / 2 ** 20).toFixed(1)} MiB`,
);

// Warm-up: page cache, lazy addon load, JIT. Not counted.
const symbolCount = runJunction();
runReadelf();
console.log(`  symbols ${symbolCount} .symtab + .dynsym entries decoded per @junction/elf round`);
console.log(`  rounds  ${ROUNDS} (interleaved, after one warm-up round each)\n`);

const junctionMs = [];
const readelfMs = [];
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? ["junction", "readelf"] : ["readelf", "junction"];
  for (const side of order) {
    if (side === "junction") junctionMs.push(time(runJunction).ms);
    else readelfMs.push(time(runReadelf).ms);
  }
  console.log(
    `  round ${round + 1}: @junction/elf ${junctionMs.at(-1).toFixed(0)} ms   readelf -hlsW ${readelfMs.at(-1).toFixed(0)} ms`,
  );
}
const mj = median(junctionMs);
const mr = median(readelfMs);
console.log(`\n  median  @junction/elf ${mj.toFixed(0)} ms   readelf -hlsW ${mr.toFixed(0)} ms`);
console.log(`  ratio   readelf / @junction/elf = ${(mr / mj).toFixed(2)}x`);
if (touched === 0) console.log("  (no headers were read?)");
