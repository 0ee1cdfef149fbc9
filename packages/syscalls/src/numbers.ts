// Register values: arguments arrive as raw 64-bit values (bigint or number) and are
// reinterpreted per kind, the way the kernel's C prototypes would see them.

/** A raw argument as an unsigned 64-bit bigint (negative numbers wrap, as in a register). */
export function toRegister(value: bigint | number): bigint {
  if (typeof value === "number") {
    if (!Number.isInteger(value))
      throw new RangeError(`register values are integers, got ${value}`);
    return BigInt.asUintN(64, BigInt(value));
  }
  return BigInt.asUintN(64, value);
}

export const signed32 = (v: bigint): bigint => BigInt.asIntN(32, v);
export const unsigned32 = (v: bigint): bigint => BigInt.asUintN(32, v);
export const signed64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/** `0x1f` style; negative values are shown as their two's complement by the caller. */
export const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** An address: NULL or hex. */
export const pointer = (v: bigint): string => (v === 0n ? "NULL" : hex(v));
