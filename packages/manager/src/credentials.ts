// Basic-auth credentials for /system/*: made once, on first start, in the state directory.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-file.js";

export interface Credentials {
  username: string;
  password: string;
}

export const CREDENTIALS_FILE = "credentials.json";

/** Reads `<state>/credentials.json`, creating it (mode 0600) with a random password if absent. */
export async function loadCredentials(stateDir: string): Promise<Credentials> {
  const path = join(stateDir, CREDENTIALS_FILE);
  try {
    const raw = JSON.parse(await readFile(path, "utf8")) as Partial<Credentials>;
    if (typeof raw.username !== "string" || typeof raw.password !== "string") {
      throw new Error(`${path} must hold {"username": string, "password": string}`);
    }
    return { username: raw.username, password: raw.password };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const created = { username: "admin", password: randomBytes(24).toString("base64url") };
  await writeFileAtomic(path, `${JSON.stringify(created, null, 2)}\n`, 0o600);
  return created;
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/**
 * Whether an `Authorization` header carries these credentials. Both sides are hashed first
 * so that the comparison takes the same time whatever the lengths.
 */
export function checkBasicAuth(header: string | undefined, expected: Credentials): boolean {
  if (header === undefined || !/^basic /i.test(header)) return false;
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return false;
  const userOk = timingSafeEqual(digest(decoded.slice(0, colon)), digest(expected.username));
  const passOk = timingSafeEqual(digest(decoded.slice(colon + 1)), digest(expected.password));
  return userOk && passOk;
}
