import { callNative, callNativeAsync, ElfError } from "./errors.js";
import { type NativeElfHandle, native } from "./native.js";
import type {
  DynamicEntry,
  ElfSymbol,
  FileHeader,
  Note,
  ProgramHeader,
  SectionHeader,
  SymbolTableKind,
} from "./types.js";

function checkKind(kind: SymbolTableKind): SymbolTableKind {
  // The native side refuses unknown names as well; checking here gives JS callers (who may
  // not use the types) the same ElfError without a round trip.
  if (kind !== "symtab" && kind !== "dynsym") {
    throw new ElfError("InvalidSpec", 0n, `unknown symbol table ${JSON.stringify(kind)}`);
  }
  return kind;
}

// Lets `loadPlan` reach the native handle without making it part of the public class.
const handles = new WeakMap<Elf, NativeElfHandle>();

/** @internal */
export function nativeHandleOf(elf: Elf): NativeElfHandle {
  const handle = handles.get(elf);
  if (handle === undefined)
    throw new TypeError("expected an Elf from openElf, openElfSync or parseElf");
  return handle;
}

/**
 * One parsed ELF file. Files opened by path stay memory-mapped (read-only) for the life of
 * the object; accessors decode on demand and return fresh plain objects.
 */
export class Elf {
  readonly #handle: NativeElfHandle;
  #header: FileHeader | undefined;
  #programHeaders: readonly ProgramHeader[] | undefined;

  /** @internal Use `openElf`, `openElfSync` or `parseElf`. */
  constructor(handle: NativeElfHandle) {
    this.#handle = handle;
    handles.set(this, handle);
  }

  /** The file header. Validated when the file was opened, so reading it cannot fail. */
  get header(): FileHeader {
    this.#header ??= callNative(() => this.#handle.header());
    return this.#header;
  }

  /** All program headers, in file order. Validated at open time. */
  get programHeaders(): readonly ProgramHeader[] {
    this.#programHeaders ??= callNative(() => this.#handle.programHeaders());
    return this.#programHeaders;
  }

  /** Section headers with resolved names. Throws `ElfError` if the section table is bad. */
  sectionHeaders(): SectionHeader[] {
    return callNative(() => this.#handle.sectionHeaders());
  }

  /** The PT_INTERP path (e.g. "/lib64/ld-linux-x86-64.so.2"), or null for static files. */
  interpreter(): string | null {
    return callNative(() => this.#handle.interpreter());
  }

  /** Every entry of .symtab or .dynsym, including the null symbol at index 0. */
  symbols(kind: SymbolTableKind): ElfSymbol[] {
    checkKind(kind);
    return callNative(() => this.#handle.symbolsSync(kind));
  }

  /** `symbols`, read on the libuv thread pool. */
  symbolsAsync(kind: SymbolTableKind): Promise<ElfSymbol[]> {
    checkKind(kind);
    return callNativeAsync(() => this.#handle.symbols(kind));
  }

  /** Number of entries in the table (0 when it is absent), without decoding names. */
  symbolCount(kind: SymbolTableKind): number {
    checkKind(kind);
    return callNative(() => this.#handle.symbolCount(kind));
  }

  /** Every note the core finds (name, type and descriptor bytes). */
  notes(): Note[] {
    return callNative(() => this.#handle.notes());
  }

  /** The GNU build ID as lowercase hex, or null. */
  buildId(): string | null {
    return callNative(() => this.#handle.buildId());
  }

  /** The PT_DYNAMIC entries up to DT_NULL. */
  dynamic(): DynamicEntry[] {
    return callNative(() => this.#handle.dynamic()).map((e) => ({
      tag: e.tag,
      value: e.value,
      string: e.string ?? null,
    }));
  }
}

/** Opens and maps a file on the libuv thread pool. */
export async function openElf(path: string): Promise<Elf> {
  const handle = await callNativeAsync(() => native().openElf(path));
  return new Elf(handle);
}

/** Opens and maps a file, blocking the calling thread. */
export function openElfSync(path: string): Elf {
  return new Elf(callNative(() => native().openElfSync(path)));
}

/** Parses an in-memory image. The bytes are copied, so the caller may reuse the buffer. */
export function parseElf(bytes: Uint8Array): Elf {
  return new Elf(callNative(() => native().parseElf(bytes)));
}
