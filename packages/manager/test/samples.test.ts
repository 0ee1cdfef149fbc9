// The bundled samples that `npm start` deploys, checked for what they compute.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness.js";

const SAMPLES = fileURLToPath(new URL("../samples", import.meta.url));
const PYTHON = "/usr/bin/python3";
const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe("aes-python", () => {
  it("AES-128 matches the FIPS-197 appendix C.1 vector", () => {
    const r = spawnSync(
      PYTHON,
      [
        "-c",
        "import aes; print(aes.encrypt_block(aes.expand_key(bytes(range(16))), bytes.fromhex('00112233445566778899aabbccddeeff')).hex())",
      ],
      { cwd: join(SAMPLES, "aes-python"), encoding: "utf8" },
    );
    expect(r.stdout.trim()).toBe("69c4e0d86a7b0430d8cdb78070b4c55a");
  });

  it.skipIf(!hasOpenssl)(
    "the function's CTR ciphertext of a 600-byte body matches openssl's",
    async () => {
      const body = Buffer.alloc(600, 0).map((_, i) => (i * 7 + 3) & 0xff);
      const deployed = await h.call("POST", "/system/functions", {
        service: "aes",
        image: `dir:${join(SAMPLES, "aes-python")}`,
      });
      expect(deployed.status).toBe(202);
      const res = await h.call("POST", "/function/aes", Buffer.from(body));
      expect(res.status).toBe(200);
      const dir = mkdtempSync(join(tmpdir(), "junction-aes-"));
      const key = Buffer.from("junction-aes-key").toString("hex");
      const ssl = spawnSync(
        "openssl",
        ["enc", "-aes-128-ctr", "-K", key, "-iv", "00000000000000000000000000000001"],
        { input: body, cwd: dir },
      );
      expect((await res.text()).trim()).toBe(ssl.stdout.toString("hex"));
    },
  );
});

describe("hello-node", () => {
  it("answers over the http protocol", async () => {
    const deployed = await h.call("POST", "/system/functions", {
      service: "hello-node",
      image: `dir:${join(SAMPLES, "hello-node")}`,
    });
    expect(deployed.status).toBe(202);
    const res = await h.call("POST", "/function/hello-node", "there");
    expect(await res.json()).toEqual({ hello: "there", node: process.version });
  });
});
