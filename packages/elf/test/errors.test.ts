import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ElfError, openElf, openElfSync, parseElf, type SymbolTableKind } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "junction-elf-errors-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function caught(fn: () => unknown): ElfError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ElfError);
    return err as ElfError;
  }
  throw new Error("expected an ElfError");
}

describe("errors", () => {
  const missing = join(dir, "does-not-exist");
  const text = join(dir, "notes.txt");
  writeFileSync(text, "These are notes, not an executable.\n");

  it("reports a missing file as Io", async () => {
    const err = caught(() => openElfSync(missing));
    expect(err.kind).toBe("Io");
    expect(typeof err.offset).toBe("bigint");
    const rejected = await openElf(missing).then(
      () => null,
      (e: unknown) => e,
    );
    expect(rejected).toBeInstanceOf(ElfError);
    expect((rejected as ElfError).kind).toBe("Io");
  });

  it("reports a text file as BadMagic at offset 0", async () => {
    const err = caught(() => openElfSync(text));
    expect(err.kind).toBe("BadMagic");
    expect(err.offset).toBe(0n);
    expect(err.message).toContain("(at file offset 0x0)");
    await expect(openElf(text)).rejects.toBeInstanceOf(ElfError);
    expect(caught(() => parseElf(new TextEncoder().encode("#!/bin/sh\necho hi\n"))).kind).toBe(
      "BadMagic",
    );
  });

  it("keeps the native error as the cause", () => {
    const err = caught(() => openElfSync(text));
    expect(err.cause).toBeInstanceOf(Error);
    expect(err.name).toBe("ElfError");
  });

  it("reports a truncated header as Truncated with a bigint offset", () => {
    // The ELF magic and class only: everything after e_ident[EI_DATA] is missing.
    const err = caught(() => parseElf(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1])));
    expect(err.kind).toBe("Truncated");
    expect(typeof err.offset).toBe("bigint");
  });

  it("refuses an unknown symbol table name", () => {
    const elf = openElfSync("/usr/bin/true");
    const err = caught(() => elf.symbols("strtab" as SymbolTableKind));
    expect(err.kind).toBe("InvalidSpec");
  });
});
