import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Elf, ElfError, loadPlan, parseElf } from "../src/index.js";

const SAMPLE = "/usr/bin/true";
const original = new Uint8Array(readFileSync(SAMPLE));

interface Tally {
  parsed: number;
  refused: number;
  accessorErrors: number;
  /** Anything thrown that is not an ElfError: each one is a bug. */
  foreign: string[];
}

/** Calls `fn`; an ElfError is an accepted outcome, anything else is recorded as a failure. */
function attempt(tally: Tally, what: string, fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    if (err instanceof ElfError && typeof err.offset === "bigint") return false;
    tally.foreign.push(
      `${what}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
    );
    return false;
  }
}

/** Every accessor, so that lazily decoded tables are exercised as well as the header. */
function exercise(tally: Tally, label: string, bytes: Uint8Array): void {
  let elf: Elf | undefined;
  const ok = attempt(tally, `${label} parseElf`, () => {
    elf = parseElf(bytes);
  });
  if (!ok || elf === undefined) {
    tally.refused++;
    return;
  }
  tally.parsed++;
  const e = elf;
  const calls: [string, () => unknown][] = [
    ["header", () => e.header],
    ["programHeaders", () => e.programHeaders],
    ["sectionHeaders", () => e.sectionHeaders()],
    ["interpreter", () => e.interpreter()],
    ["symbols(symtab)", () => e.symbols("symtab")],
    ["symbols(dynsym)", () => e.symbols("dynsym")],
    ["symbolCount(symtab)", () => e.symbolCount("symtab")],
    ["symbolCount(dynsym)", () => e.symbolCount("dynsym")],
    ["notes", () => e.notes()],
    ["buildId", () => e.buildId()],
    ["dynamic", () => e.dynamic()],
    ["loadPlan", () => loadPlan(e)],
  ];
  for (const [name, call] of calls) {
    if (!attempt(tally, `${label} ${name}`, call)) tally.accessorErrors++;
  }
}

/** mulberry32: small, seeded, and good enough to spread corruptions over the file. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const newTally = (): Tally => ({ parsed: 0, refused: 0, accessorErrors: 0, foreign: [] });

describe(`robustness on ${SAMPLE}`, () => {
  it("survives every truncation (all prefixes up to 4096 bytes, then every 97th)", () => {
    const tally = newTally();
    let count = 0;
    for (let n = 0; n <= original.length; n += n < 4096 ? 1 : 97) {
      exercise(tally, `prefix ${n}`, original.subarray(0, n));
      count++;
    }
    exercise(tally, "full file", original);
    console.log(
      `prefixes: ${count} tried, ${tally.parsed} parsed, ${tally.refused} refused, ${tally.accessorErrors} accessor errors`,
    );
    expect(tally.foreign.slice(0, 20)).toEqual([]);
    // Both outcomes must occur, or the loop did not test what it claims to.
    expect(tally.refused).toBeGreaterThan(0);
    expect(tally.parsed).toBeGreaterThan(0);
  });

  it("survives 4000 randomly corrupted copies (seeded)", () => {
    const random = prng(0x5eed_e1f);
    const tally = newTally();
    const copy = new Uint8Array(original.length);
    for (let i = 0; i < 4000; i++) {
      copy.set(original);
      const edits = 1 + Math.floor(random() * 16);
      for (let k = 0; k < edits; k++) {
        // Half of the edits land in the first page, where the headers and tables that steer
        // every later read live; the rest anywhere in the file.
        const span = random() < 0.5 ? Math.min(4096, copy.length) : copy.length;
        const at = Math.floor(random() * span);
        const r = random();
        // Extreme values find overflow bugs faster than uniform noise.
        copy[at] = r < 0.2 ? 0xff : r < 0.4 ? 0 : Math.floor(random() * 256);
      }
      exercise(tally, `corruption ${i}`, copy);
    }
    console.log(
      `corruptions: 4000 tried, ${tally.parsed} parsed, ${tally.refused} refused, ${tally.accessorErrors} accessor errors`,
    );
    expect(tally.foreign.slice(0, 20)).toEqual([]);
    expect(tally.parsed).toBeGreaterThan(0);
    expect(tally.refused + tally.accessorErrors).toBeGreaterThan(0);
  });
});
