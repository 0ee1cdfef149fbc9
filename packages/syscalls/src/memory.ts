// Reading application memory through the caller's reader. A reader may refuse a range that
// crosses into unmapped memory, so strings are read page by page, and every failure becomes
// `null` for the printer to fall back to showing the address.

/** Reads `len` bytes at `addr` from the traced application; null/undefined when it cannot. */
export type MemoryReader = (addr: bigint, len: number) => Uint8Array | null | undefined;

const PAGE = 4096n;
const U64 = (1n << 64n) - 1n;

/** Exactly `len` bytes, or null when the reader is missing, fails or returns fewer. */
export function readBytes(
  read: MemoryReader | undefined,
  addr: bigint,
  len: number,
): Uint8Array | null {
  if (!read || addr === 0n) return null;
  if (len === 0) return new Uint8Array(0);
  const bytes = read(addr, len);
  return bytes && bytes.length >= len ? bytes.subarray(0, len) : null;
}

/** Up to `want` bytes at `addr`. A reader that refuses the whole range (it runs into memory
 *  that is not mapped) is asked for halves until a prefix reads, so strings that end just
 *  before unmapped memory are still found. */
function readSome(read: MemoryReader, addr: bigint, want: number): Uint8Array | null {
  for (let len = want; len >= 1; len = Math.floor(len / 2)) {
    const chunk = read(addr, len);
    if (chunk && chunk.length > 0) return chunk.subarray(0, len);
  }
  return null;
}

/** The longest prefix the reader gives, up to `len` bytes, stopping early after a NUL when
 *  `stopAtNul` (a string has ended, so the rest need not be mapped). */
function readPrefix(read: MemoryReader, addr: bigint, len: number, stopAtNul: boolean): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  let at = addr;
  while (total < len) {
    const toPageEnd = Number(PAGE - (at % PAGE));
    const chunk = readSome(read, at, Math.min(toPageEnd, len - total));
    if (!chunk) break;
    parts.push(chunk);
    total += chunk.length;
    at = (at + BigInt(chunk.length)) & U64;
    if (stopAtNul && chunk.includes(0)) break;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A NUL-terminated string of at most `limit` bytes (the NUL not included). */
export interface CString {
  readonly bytes: Uint8Array;
  /** True when no NUL was found within `limit` bytes. */
  readonly truncated: boolean;
}

/** Read a NUL-terminated string; null when not even its first byte can be read. */
export function readCString(
  read: MemoryReader | undefined,
  addr: bigint,
  limit: number,
): CString | null {
  if (!read || addr === 0n) return null;
  const bytes = readPrefix(read, addr, limit + 1, true);
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { bytes: bytes.subarray(0, nul), truncated: false };
  // No NUL: either the string is longer than the limit or memory ended before its end.
  if (bytes.length === 0) return null;
  return { bytes: bytes.subarray(0, Math.min(bytes.length, limit)), truncated: true };
}

/** Little-endian unsigned integer of 1, 2, 4 or 8 bytes at `offset`. */
export function readUint(bytes: Uint8Array, offset: number, size: number): bigint {
  let value = 0n;
  for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[offset + i] ?? 0);
  return value;
}
