/** The failure classes of the Rust core (`junction_elf::ElfErrorKind::as_str`). */
export type ElfErrorKind =
  | "Io"
  | "Truncated"
  | "BadMagic"
  | "Unsupported"
  | "Malformed"
  | "InvalidSpec";

const KINDS: ReadonlySet<string> = new Set<ElfErrorKind>([
  "Io",
  "Truncated",
  "BadMagic",
  "Unsupported",
  "Malformed",
  "InvalidSpec",
]);

/** An error reported by the ELF core: what went wrong and where in the file. */
export class ElfError extends Error {
  override readonly name = "ElfError";
  readonly kind: ElfErrorKind;
  /** File offset of the offending bytes (0 when the failure is not tied to a location). */
  readonly offset: bigint;
  /** The core's message without the offset suffix. */
  readonly detail: string;

  constructor(kind: ElfErrorKind, offset: bigint, detail: string, options?: ErrorOptions) {
    // Same shape as the Rust `Display` impl, so logs read the same from either side.
    super(`${detail} (at file offset 0x${offset.toString(16)})`, options);
    this.kind = kind;
    this.offset = offset;
    this.detail = detail;
  }
}

// The binding encodes core errors as `junction-elf:<Kind>:<decimal offset>:<message>` in the
// thrown error's message (see native/src/error.rs); the message comes last because it is free
// text. The `s` flag lets the message span lines.
const ENCODED = /^junction-elf:([A-Za-z]+):(\d+):(.*)$/s;

/** Turns an error thrown by the addon into an `ElfError`, or returns it unchanged. */
export function decodeNativeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const m = ENCODED.exec(err.message);
  if (m === null) return err;
  const [, kind = "", offset = "0", detail = ""] = m;
  if (!KINDS.has(kind)) return err;
  return new ElfError(kind as ElfErrorKind, BigInt(offset), detail, { cause: err });
}

/** Runs a native call and rethrows core errors as `ElfError`. */
export function callNative<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw decodeNativeError(err);
  }
}

/** The async counterpart of `callNative`. */
export async function callNativeAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw decodeNativeError(err);
  }
}
