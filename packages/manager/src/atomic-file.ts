// Crash-safe writes: a reader (or a restart after SIGKILL or power loss) sees the old file or
// the new one, never a torn one.
import { randomBytes } from "node:crypto";
import { open, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** fsyncs a directory, so that a rename or an unlink in it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `data` to a temp file beside `path`, fsyncs it, renames it over `path`. */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode = 0o644,
): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(temp, "wx", mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await fsyncDir(dir);
}

/** Removes `path` and fsyncs its directory; a missing file is not an error. */
export async function removeDurably(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
  await fsyncDir(dirname(path));
}

/** fsyncs every file and directory below `root` (a freshly copied tree). */
export async function fsyncTree(root: string): Promise<void> {
  const info = await stat(root);
  if (info.isDirectory()) {
    for (const entry of await readdir(root, { withFileTypes: true })) {
      if (entry.isDirectory() || entry.isFile()) await fsyncTree(join(root, entry.name));
    }
    await fsyncDir(root);
    return;
  }
  const handle = await open(root, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Temp files left by a writeFileAtomic that was killed before its rename. */
export function isTempName(name: string): boolean {
  return name.startsWith(".") && name.endsWith(".tmp");
}
