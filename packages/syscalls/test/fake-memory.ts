// A fake application address space for formatter tests: byte regions placed at addresses,
// reads that leave a region fail (return null) like reads of unmapped memory do.

import type { MemoryReader } from "../src/index.js";

export class FakeMemory {
  private readonly regions: { start: bigint; bytes: Uint8Array }[] = [];
  /** Every read the formatter made, to check it never reads where it should not. */
  readonly reads: { addr: bigint; len: number }[] = [];

  place(addr: bigint, bytes: Uint8Array): bigint {
    this.regions.push({ start: addr, bytes });
    return addr;
  }

  /** A NUL-terminated string. */
  string(addr: bigint, text: string): bigint {
    return this.place(addr, new TextEncoder().encode(`${text}\0`));
  }

  /** Little-endian integers of the given byte widths, back to back. */
  ints(addr: bigint, values: readonly (readonly [bigint | number, number])[]): bigint {
    const total = values.reduce((n, [, size]) => n + size, 0);
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const [value, size] of values) {
      let v = BigInt.asUintN(size * 8, BigInt(value));
      for (let i = 0; i < size; i++) {
        bytes[at + i] = Number(v & 0xffn);
        v >>= 8n;
      }
      at += size;
    }
    return this.place(addr, bytes);
  }

  readonly read: MemoryReader = (addr, len) => {
    this.reads.push({ addr, len });
    for (const { start, bytes } of this.regions) {
      const end = start + BigInt(bytes.length);
      if (addr >= start && addr + BigInt(len) <= end) {
        const from = Number(addr - start);
        return bytes.slice(from, from + len);
      }
    }
    return null;
  };
}
