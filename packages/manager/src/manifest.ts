// junction.json, the manifest of a function directory: how to start the function and how to
// talk to it. Format in README.md ("Function directories").
import { existsSync, readFileSync, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ManagerError } from "./errors.js";

export const MANIFEST = "junction.json";

/** `stdio`: one request on stdin, the response on stdout. `http`: a server on `$PORT`. */
export type Protocol = "stdio" | "http";
/** How `command` starts: under an interpreter, or as an executable of its own. */
export type Runtime = "python3" | "node" | "binary";

export interface Manifest {
  runtime: Runtime;
  /** The script (python3, node) or executable (binary) and its arguments. */
  command: string[];
  protocol: Protocol;
  /** A bundled template whose files lie under this directory's (for handler-only dirs). */
  template?: string;
}

/** The bundled templates, shipped in the package's `templates/` folder. */
export const TEMPLATES = ["python3-http", "node-http", "binary"] as const;

/** The folder holding the bundled templates (beside `dist/` and `src/`). */
export function templatesDir(): string {
  return fileURLToPath(new URL("../templates", import.meta.url));
}

export function isTemplate(name: string): boolean {
  return (TEMPLATES as readonly string[]).includes(name);
}

function invalid(message: string): ManagerError {
  return new ManagerError("invalid", message, "image");
}

/** Parses the text of a junction.json; `where` names it in errors. */
export function parseManifest(text: string, where: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw invalid(`${where} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw invalid(`${where} must hold a JSON object`);
  }
  const m = raw as Record<string, unknown>;
  const runtime = m.runtime ?? "binary";
  if (runtime !== "python3" && runtime !== "node" && runtime !== "binary") {
    throw invalid(`${where}: runtime must be "python3", "node" or "binary"`);
  }
  const protocol = m.protocol ?? "stdio";
  if (protocol !== "stdio" && protocol !== "http") {
    throw invalid(`${where}: protocol must be "stdio" or "http"`);
  }
  const command = m.command;
  if (
    !Array.isArray(command) ||
    command.length === 0 ||
    !command.every((c) => typeof c === "string" && c !== "" && !c.includes("\0"))
  ) {
    throw invalid(`${where}: command must be a non-empty array of non-empty strings`);
  }
  const out: Manifest = { runtime, protocol, command: command as string[] };
  if (m.template !== undefined) {
    if (typeof m.template !== "string" || !isTemplate(m.template)) {
      throw invalid(`${where}: template must be one of ${TEMPLATES.join(", ")}`);
    }
    out.template = m.template;
  }
  return out;
}

/** Reads `<dir>/junction.json`. */
export function readManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) throw invalid(`${path} is missing: a function directory needs one`);
  return parseManifest(readFileSync(path, "utf8"), path);
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** The host's python3: a pyenv shim on PATH is a shell script, Debian's is the real program. */
function python(): string {
  const found = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : onPath("python3");
  if (found === undefined) throw new ManagerError("instance_failed", "python3 is not installed");
  return found;
}

/** A program named in a command line: an interpreter, a path in `dir`, or a name on PATH. */
function program(name: string, dir: string): string {
  if (name === "python3" || name === "python") return python();
  if (name === "node") return process.execPath;
  if (isAbsolute(name)) return name;
  if (name.includes("/")) return join(dir, name);
  const found = onPath(name);
  if (found === undefined)
    throw new ManagerError("invalid", `'${name}' is not on PATH`, "envProcess");
  return found;
}

/**
 * The program and arguments that start a function from directory `dir` (also its working
 * directory). `envProcess` (OpenFaaS's fprocess, a whole command line such as
 * "python3 index.py") replaces the manifest's runtime and command when given.
 */
export function commandLine(
  manifest: Manifest,
  dir: string,
  envProcess?: string,
): { program: string; args: string[] } {
  if (envProcess !== undefined) {
    const [first, ...rest] = envProcess.split(/\s+/).filter(Boolean);
    if (first === undefined) throw new ManagerError("invalid", "envProcess is empty", "envProcess");
    return { program: program(first, dir), args: rest };
  }
  const [first, ...rest] = manifest.command;
  if (first === undefined) throw invalid("the manifest's command is empty");
  switch (manifest.runtime) {
    case "python3":
      return { program: python(), args: [resolveIn(dir, first), ...rest] };
    case "node":
      return { program: process.execPath, args: [resolveIn(dir, first), ...rest] };
    case "binary":
      return { program: program(first, dir), args: rest };
  }
}

function resolveIn(dir: string, path: string): string {
  return isAbsolute(path) ? path : join(dir, path);
}
