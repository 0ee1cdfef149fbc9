// SIGKILL in the middle of a deploy: after a restart there is a whole function or none.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { functionDir, type Harness, startHarness, tempState } from "./support/harness.js";

const CHILD = fileURLToPath(new URL("./support/deploy-child.mjs", import.meta.url));
const DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));

function startChild(args: string[]): ChildProcess {
  if (!existsSync(DIST))
    throw new Error(`${DIST} is missing: build first (npx nx build @junction/manager)`);
  return spawn(process.execPath, [CHILD, ...args], { stdio: ["ignore", "pipe", "inherit"] });
}

function waitFor(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes(`${line}\n`)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`child exited (${code}) before '${line}'`)));
  });
}

async function kill(child: ChildProcess): Promise<void> {
  const gone = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await gone;
}

/** A function whose files are big enough that copying them takes a while. */
function bigFunction(fill: string): string {
  const files: Record<string, string> = { "fn.sh": `#!/bin/sh\nprintf ${fill}\n` };
  for (let i = 0; i < 8; i++) files[`data-${i}.bin`] = fill.repeat(512 * 1024);
  return functionDir(files, { command: ["./fn.sh"] });
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("SIGKILL during a deploy", () => {
  it("killed after the files are written, before the commit: no function, no leftovers", async () => {
    const stateDir = tempState();
    const child = startChild([stateDir, "pause", bigFunction("a")]);
    await waitFor(child, "before-commit");
    // The staged copy exists at this point: the test kills a deploy that did real work.
    expect(readdirSync(join(stateDir, "artifacts"))).toHaveLength(1);
    await kill(child);

    h = await startHarness({ stateDir });
    expect((await h.call("GET", "/system/function/victim")).status).toBe(404);
    expect(await (await h.call("GET", "/system/functions")).json()).toEqual([]);
    expect(readdirSync(join(stateDir, "artifacts"))).toEqual([]);
    expect(readdirSync(join(stateDir, "tmp"))).toEqual([]);
    // And the name is free to deploy again.
    const res = await h.call("POST", "/system/functions", { service: "victim", image: "binary" });
    expect(res.status).toBe(202);
  });

  it("killed at random moments of repeated updates: always one whole version", async () => {
    const a = bigFunction("a");
    const b = bigFunction("b");
    for (let round = 0; round < 4; round++) {
      const stateDir = tempState();
      const child = startChild([stateDir, "churn", a, b]);
      await waitFor(child, "deployed");
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 400));
      await kill(child);

      h = await startHarness({ stateDir });
      const res = await h.call("POST", "/function/victim");
      expect(res.status).toBe(200);
      const fill = await res.text();
      expect(["a", "b"]).toContain(fill);
      // The one artifact left is whole: every file as the deployed version has it.
      const artifacts = readdirSync(join(stateDir, "artifacts"));
      expect(artifacts).toHaveLength(1);
      const dir = join(stateDir, "artifacts", artifacts[0] as string);
      for (let i = 0; i < 8; i++) {
        const data = readFileSync(join(dir, `data-${i}.bin`), "utf8");
        expect(data.length).toBe(512 * 1024);
        expect(data).toBe(fill.repeat(512 * 1024));
      }
      expect(readdirSync(join(stateDir, "tmp"))).toEqual([]);
      await h.close();
      h = undefined;
    }
  });
});
