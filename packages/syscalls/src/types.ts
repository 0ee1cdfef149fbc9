// The shapes of the generated tables (src/generated/*.ts). Hand-written so the public types are
// reviewed here; the generator only fills them with data.

/** How far the Junction kernel serves a syscall. */
export type SyscallStatus =
  | { readonly kind: "served" }
  | { readonly kind: "host"; readonly reason: string }
  | { readonly kind: "partial"; readonly reason: string }
  | { readonly kind: "unsupported" };

/** Who writes the memory a pointer argument points to. */
export type Direction = "in" | "out" | "inout";

/** Scalars a pointer argument can point to (`out(int)`). */
export type ScalarKind = "int" | "uint" | "long" | "ulong" | "fd" | "offset" | "size";

/** Argument kinds that need no parameter. */
export type SimpleArgKind =
  | "fd"
  | "dirfd"
  | "int"
  | "uint"
  | "long"
  | "ulong"
  | "size"
  | "offset"
  | "pid"
  | "uid"
  | "gid"
  | "mode"
  | "ptr"
  | "path"
  | "str"
  | "strarray"
  | "signal"
  | "sigset";

/** What a syscall argument is. `len`, `count` and `sizeArg` are indexes of other arguments. */
export type ArgKind =
  | { readonly kind: SimpleArgKind }
  | { readonly kind: "in_buf" | "out_buf"; readonly len: number }
  | {
      readonly kind: "struct";
      readonly dir: Direction;
      readonly struct: string;
      /** Index of the argument holding the element count (an array of structs). */
      readonly count?: number;
      /** Index of the argument holding the struct's byte size (sockaddr). */
      readonly sizeArg?: number;
    }
  | { readonly kind: "scalar"; readonly dir: Direction; readonly scalar: ScalarKind }
  | { readonly kind: "flags" | "enum"; readonly set: string };

/** One argument: the kernel's name for it and its kind. */
export interface ArgInfo {
  readonly name: string;
  readonly kind: ArgKind;
}

/** What a syscall returns on success (failure is always -errno). */
export type RetKind =
  | { readonly kind: "int" | "long" | "fd" | "ssize" | "addr" | "pid" | "noreturn" }
  | { readonly kind: "flags" | "enum"; readonly set: string };

/** One row of the syscall table. */
export interface SyscallInfo {
  readonly nr: number;
  readonly name: string;
  readonly args: readonly ArgInfo[];
  readonly ret: RetKind;
  readonly status: SyscallStatus;
  /** A remark from the source table; "" when there is none. */
  readonly note: string;
}

/** An errno: its name, number and glibc strerror message. */
export interface ErrnoInfo {
  readonly name: string;
  readonly number: number;
  readonly message: string;
}

/** A signal: its name, number and glibc strsignal description. */
export interface SignalInfo {
  readonly name: string;
  readonly number: number;
  readonly description: string;
}

/** Another name for an errno or signal. */
export interface AliasInfo {
  readonly name: string;
  readonly target: string;
}

/** A named constant; values are exact 64-bit integers. */
export interface ConstantInfo {
  readonly name: string;
  readonly value: bigint;
}

/** One entry of a constant set, in print order. */
export type SetEntry =
  | ({ readonly type: "value" } & ConstantInfo)
  | {
      readonly type: "field";
      /** The mask's name (O_ACCMODE). */
      readonly name: string;
      readonly mask: bigint;
      readonly values: readonly ConstantInfo[];
      /** The field holds a signal number (clone's CSIGNAL byte). */
      readonly signal: boolean;
    };

/** A flags (bit set) or enum block of the source table. */
export interface ConstSet {
  readonly name: string;
  readonly kind: "flags" | "enum";
  readonly entries: readonly SetEntry[];
}

/** Field types; `u8` with a `count` is a byte array printed as a string. */
export type FieldType = "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64" | "ptr";

/** How a struct field is printed when not as a plain number. */
export type FieldPrint =
  | { readonly kind: "mode" | "hex" | "fd" | "signal" | "sigset" }
  | { readonly kind: "flags" | "enum"; readonly set: string };

/** One field of a struct layout. */
export interface FieldLayout {
  readonly name: string;
  readonly type: FieldType;
  /** Element count of a byte array; absent for scalars. */
  readonly count?: number;
  readonly offset: number;
  readonly print?: FieldPrint;
}

/** A struct that syscall arguments point to. */
export interface StructLayout {
  readonly name: string;
  readonly size: number;
  /** The C type it matches (checked against gcc in the tests), or null. */
  readonly cName: string | null;
  readonly packed: boolean;
  readonly fields: readonly FieldLayout[];
}
