import { closeSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { join } from "node:path";

const ELF_MAGIC = 0x7f454c46;

function hasElfMagic(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return false; // unreadable (permissions): not ours to judge
  }
  try {
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && head.readUInt32BE(0) === ELF_MAGIC;
  } finally {
    closeSync(fd);
  }
}

/**
 * Regular files whose first four bytes are the ELF magic, found under `roots` (recursively
 * where asked). Each inode is reported once, so symlinks and hard links to a file that was
 * already seen are skipped; symlinked directories are not followed.
 */
export function findElfFiles(roots: readonly { dir: string; recursive: boolean }[]): string[] {
  const seen = new Set<string>();
  const found: string[] = [];
  const walk = (dir: string, recursive: boolean): void => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (recursive) walk(path, recursive);
        continue;
      }
      let st: import("node:fs").Stats;
      try {
        st = statSync(path); // follows symlinks: a link to a new file still counts once
      } catch {
        continue; // dangling symlink
      }
      if (!st.isFile()) continue;
      const key = `${st.dev}:${st.ino}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (hasElfMagic(path)) found.push(path);
    }
  };
  for (const root of roots) walk(root.dir, root.recursive);
  return found;
}
