// What a FunctionDeployment's `image` names: a function directory (`dir:/abs/path`) or a
// bundled template. Resolved at deploy into the files to copy and the effective manifest.
import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { ManagerError } from "./errors.js";
import {
  isTemplate,
  MANIFEST,
  type Manifest,
  parseManifest,
  TEMPLATES,
  templatesDir,
} from "./manifest.js";

export interface ResolvedImage {
  /** Directories to copy into the artifact, later ones on top. */
  sources: string[];
  manifest: Manifest;
}

function invalid(message: string): ManagerError {
  return new ManagerError("invalid", message, "image");
}

function readJson(path: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw invalid(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw invalid(`${path} must hold a JSON object`);
  }
  return raw as Record<string, unknown>;
}

function templateDir(name: string): string {
  return join(templatesDir(), name);
}

export function resolveImage(image: string): ResolvedImage {
  if (isTemplate(image)) {
    const dir = templateDir(image);
    const path = join(dir, MANIFEST);
    return { sources: [dir], manifest: parseManifest(readFileSync(path, "utf8"), path) };
  }
  if (!image.startsWith("dir:")) {
    throw invalid(
      `image '${image}' is neither 'dir:/absolute/path' nor a bundled template (${TEMPLATES.join(", ")}); ` +
        "container images are not supported",
    );
  }
  const dir = image.slice(4);
  if (!isAbsolute(dir)) throw invalid(`image '${image}': the directory must be an absolute path`);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw invalid(`image '${image}': ${dir} is not a directory`);
  }
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) throw invalid(`image '${image}': ${path} is missing`);
  const own = readJson(path);
  if (own.template === undefined)
    return { sources: [dir], manifest: parseManifest(JSON.stringify(own), path) };
  if (typeof own.template !== "string" || !isTemplate(own.template)) {
    throw invalid(`${path}: template must be one of ${TEMPLATES.join(", ")}`);
  }
  // A handler-only directory: the template's files and manifest, with this one's on top.
  const base = templateDir(own.template);
  const merged = { ...readJson(join(base, MANIFEST)), ...own };
  return { sources: [base, dir], manifest: parseManifest(JSON.stringify(merged), path) };
}
