// C-style escaping of bytes for display, as strace prints strings: printable ASCII as is,
// the usual backslash escapes, everything else in octal.

const NAMED: Readonly<Record<number, string>> = {
  9: "\\t",
  10: "\\n",
  11: "\\v",
  12: "\\f",
  13: "\\r",
  34: '\\"',
  92: "\\\\",
};

const isOctalDigit = (byte: number | undefined): boolean =>
  byte !== undefined && byte >= 0x30 && byte <= 0x37;

/** The bytes as the inside of a C string literal (no quotes). */
export function escapeBytes(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0;
    const named = NAMED[byte];
    if (named !== undefined) {
      out += named;
    } else if (byte >= 0x20 && byte < 0x7f) {
      out += String.fromCharCode(byte);
    } else {
      // Shortest octal form, unless the next byte is an octal digit that would be read as
      // part of the escape: then all three digits.
      const octal = byte.toString(8);
      out += `\\${isOctalDigit(bytes[i + 1]) ? octal.padStart(3, "0") : octal}`;
    }
  }
  return out;
}

/** A quoted C string; `truncated` appends strace's `...` after the closing quote. */
export function quoteBytes(bytes: Uint8Array, truncated: boolean): string {
  return `"${escapeBytes(bytes)}"${truncated ? "..." : ""}`;
}
