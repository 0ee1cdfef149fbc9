import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";

/** True when binutils' readelf can be run. */
export function hasReadelf(): boolean {
  const r = spawnSync("readelf", ["--version"], { stdio: "ignore" });
  return r.error === undefined && r.status === 0;
}

export interface ReadelfProgramHeader {
  /** As printed: "LOAD", "GNU_STACK", "LOOS+0x..." ... */
  type: string;
  offset: bigint;
  vaddr: bigint;
  paddr: bigint;
  filesz: bigint;
  memsz: bigint;
  /** The Flg column, e.g. "R E". */
  flags: string;
  align: bigint;
}

export interface ReadelfFile {
  class: string | null;
  /** First word of the Type line: "EXEC", "DYN", ... */
  type: string | null;
  entry: bigint | null;
  interpreter: string | null;
  programHeaders: ReadelfProgramHeader[];
  /** Section name → entry count, from "Symbol table '<name>' contains N entries". */
  symbolCounts: Map<string, number>;
  /** Program-header lines the parser did not recognise (a test failure, not a skip). */
  unparsed: string[];
}

const HEX = "0x[0-9a-f]+";
// A -W program header row. The type may contain a space ("<unknown>: 0x..."), so it is matched
// lazily up to the first hex column; the flags column is exactly three characters. readelf
// prints an alignment of zero as a bare "0".
const PHDR_ROW = new RegExp(
  `^\\s+(.+?)\\s+(${HEX})\\s+(${HEX})\\s+(${HEX})\\s+(${HEX})\\s+(${HEX}) ([RWE ]{3}) (${HEX}|0)$`,
);
const PHDR_COLUMNS = /^\s+Type\s+Offset\s+VirtAddr/;
const INTERP = /^\s+\[Requesting program interpreter: (.*)\]$/;
const SYMTAB = /^Symbol table '(.*)' contains (\d+) entr(?:y|ies):?$/;
const FIELD = /^ {2}([A-Za-z /]+):\s+(.*)$/;

function emptyFile(): ReadelfFile {
  return {
    class: null,
    type: null,
    entry: null,
    interpreter: null,
    programHeaders: [],
    symbolCounts: new Map(),
    unparsed: [],
  };
}

/**
 * Runs `readelf <flags> <files...>` once and parses its per-file output. With more than one
 * file readelf starts each file's block with "File: <path>"; with one file there is no such
 * line, so that file is assumed from the start.
 */
export function readelfBatch(
  flags: readonly string[],
  files: readonly string[],
): Promise<{ files: Map<string, ReadelfFile>; stderr: string; status: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn("readelf", [...flags, ...files], { stdio: ["ignore", "pipe", "pipe"] });
    const out = new Map<string, ReadelfFile>();
    let current: ReadelfFile | undefined;
    if (files.length === 1 && files[0] !== undefined) {
      current = emptyFile();
      out.set(files[0], current);
    }
    let inProgramHeaders = false;
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
    });
    const lines = createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on("line", (line) => {
      if (line.startsWith("File: ")) {
        current = emptyFile();
        out.set(line.slice("File: ".length), current);
        inProgramHeaders = false;
        return;
      }
      if (current === undefined) return;
      // Symbol rows are by far the most lines; they start with spaces and a decimal index.
      if (line.length > 6 && line.charCodeAt(0) === 32 && /^\s+\d+: /.test(line)) return;
      if (line === "Program Headers:") {
        inProgramHeaders = true;
        return;
      }
      if (inProgramHeaders) {
        if (line.trim() === "") {
          inProgramHeaders = false;
          return;
        }
        const interp = INTERP.exec(line);
        if (interp) {
          current.interpreter = interp[1] ?? null;
          return;
        }
        const row = PHDR_ROW.exec(line);
        if (row) {
          const [, type = "", offset, vaddr, paddr, filesz, memsz, flags = "", align] = row;
          current.programHeaders.push({
            type,
            offset: BigInt(offset ?? "0"),
            vaddr: BigInt(vaddr ?? "0"),
            paddr: BigInt(paddr ?? "0"),
            filesz: BigInt(filesz ?? "0"),
            memsz: BigInt(memsz ?? "0"),
            flags,
            align: BigInt(align ?? "0"),
          });
        } else if (!PHDR_COLUMNS.test(line)) {
          // A row we cannot read must fail the comparison, not vanish from it.
          current.unparsed.push(line);
        }
        return;
      }
      const sym = SYMTAB.exec(line);
      if (sym) {
        current.symbolCounts.set(sym[1] ?? "", Number(sym[2]));
        return;
      }
      const field = FIELD.exec(line);
      if (field) {
        const [, key, value = ""] = field;
        if (key === "Class") current.class = value.trim();
        else if (key === "Type") current.type = value.trim().split(" ")[0] ?? null;
        else if (key === "Entry point address") current.entry = BigInt(value.trim());
      }
    });
    child.on("error", reject);
    child.on("close", (status) => {
      resolve({ files: out, stderr, status });
    });
  });
}

/** `readelfBatch` over many files: `batchSize` files per process, `parallel` processes. */
export async function readelfAll(
  flags: readonly string[],
  files: readonly string[],
  batchSize: number,
  parallel: number,
): Promise<{ files: Map<string, ReadelfFile>; stderr: string }> {
  const batches: string[][] = [];
  for (let i = 0; i < files.length; i += batchSize) batches.push(files.slice(i, i + batchSize));
  const all = new Map<string, ReadelfFile>();
  let stderr = "";
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const batch = batches[next++];
      if (batch === undefined) break;
      const r = await readelfBatch(flags, batch);
      for (const [k, v] of r.files) all.set(k, v);
      stderr += r.stderr;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return { files: all, stderr };
}
