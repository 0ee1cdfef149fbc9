// `junction daemon` and createManager() with the kernel starter: functions deployed over the
// OpenFaaS API run under the real junction-kernel. Skipped, with a note, when the kernel binary
// has not been built (see kernel.test.ts).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Daemon, KernelNotFoundError, kernelPath, startDaemon } from "../src/index.js";
import { junction, startJunction } from "./support/cli.js";

function hasKernel(): boolean {
  try {
    kernelPath({ env: {} });
    return true;
  } catch (err) {
    if (err instanceof KernelNotFoundError) return false;
    throw err;
  }
}
const kernel = hasKernel();

/** Whether this machine lets the kernel enforce --memory (junction info). */
function limitsEnforced(): boolean {
  if (!kernel) return false;
  const info = JSON.parse(junction(["info", "--json"]).stdout) as {
    resource_limits?: { ok: boolean };
  };
  const ok = info.resource_limits?.ok === true;
  if (!ok)
    console.warn("@junction/runtime: no resource limits on this machine; limits test skipped");
  return ok;
}
const limits = limitsEnforced();

describe("junction daemon --help", () => {
  it("describes the daemon and its options", () => {
    const r = junction(["daemon", "--help"]);
    expect(r.status).toBe(0);
    for (const option of ["--port", "--host", "--state"]) expect(r.stdout).toContain(option);
  });

  it("refuses a bad port as bad usage", () => {
    const r = junction(["daemon", "--port", "http"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("junction daemon:");
  });
});

describe.skipIf(!kernel)("the daemon with the kernel starter", () => {
  let stateDir: string;
  let daemon: Daemon;
  let auth: string;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "junction-daemon-"));
    daemon = await startDaemon({ port: 0, host: "127.0.0.1", stateDir });
    const { username, password } = daemon.manager.credentials;
    auth = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  });
  afterAll(async () => {
    await daemon.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function deploy(body: object): Promise<Response> {
    return fetch(`${daemon.url}/system/functions`, {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  async function invoke(name: string, body: string): Promise<Response> {
    return fetch(`${daemon.url}/function/${name}`, { method: "POST", body });
  }

  it("runs the python3-http template under the kernel (stdio protocol)", async () => {
    expect((await deploy({ service: "py", image: "python3-http" })).status).toBe(202);
    const res = await invoke("py", "kernel");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("Hello from python3-http: kernel");
  });

  it("runs a C function under the kernel, a fresh instance per request", async () => {
    const dir = mkdtempSync(join(tmpdir(), "junction-c-fn-"));
    writeFileSync(
      join(dir, "fn.c"),
      '#include <stdio.h>\n#include <unistd.h>\nint main(void){char b[256];size_t n=fread(b,1,sizeof b,stdin);printf("%d:%.*s",(int)getpid(),(int)n,b);return 0;}\n',
    );
    const cc = spawnSync("cc", ["-O2", "-o", join(dir, "fn"), join(dir, "fn.c")], {
      encoding: "utf8",
    });
    expect(cc.status, cc.stderr).toBe(0);
    writeFileSync(
      join(dir, "junction.json"),
      JSON.stringify({ runtime: "binary", command: ["./fn"] }),
    );
    expect((await deploy({ service: "cfn", image: `dir:${dir}` })).status).toBe(202);
    const a = await (await invoke("cfn", "one")).text();
    const b = await (await invoke("cfn", "two")).text();
    expect(a).toMatch(/^\d+:one$/);
    expect(b).toMatch(/^\d+:two$/);
  });

  it("passes binary request and response bodies through byte for byte", async () => {
    expect((await deploy({ service: "bytes", image: "binary" })).status).toBe(202);
    const body = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const res = await fetch(`${daemon.url}/function/bytes`, { method: "POST", body });
    expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);
  });

  it.skipIf(!limits)("enforces limits.memory: past it an instance is killed (502)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "junction-alloc-fn-"));
    writeFileSync(
      join(dir, "alloc.py"),
      'b = bytearray(300 * 1024 * 1024)\nprint("allocated", len(b))\n',
    );
    writeFileSync(
      join(dir, "junction.json"),
      JSON.stringify({ runtime: "python3", command: ["alloc.py"] }),
    );
    const image = `dir:${dir}`;
    expect((await deploy({ service: "hungry", image, limits: { memory: "64Mi" } })).status).toBe(
      202,
    );
    expect((await deploy({ service: "fed", image })).status).toBe(202);
    const limited = await invoke("hungry", "");
    expect(limited.status).toBe(502);
    expect(((await limited.json()) as { error: { message: string } }).error.message).toContain(
      "SIGKILL",
    );
    const free = await invoke("fed", "");
    expect(free.status).toBe(200);
    expect((await free.text()).trim()).toBe(`allocated ${300 * 1024 * 1024}`);
  });

  it("counts kernel starts as cold starts", async () => {
    const text = await (await fetch(`${daemon.url}/metrics`)).text();
    const cold = /junction_instance_starts_total\{kind="cold"\} (\d+)/.exec(text);
    expect(Number(cold?.[1])).toBeGreaterThanOrEqual(3);
  });

  it("a function that fails under the kernel: 502, its stderr in the logs", async () => {
    const res = await deploy({
      service: "no",
      image: "binary",
      envProcess: "/bin/ls /nonexistent",
    });
    expect(res.status).toBe(202);
    expect((await invoke("no", "x")).status).toBe(502);
    const logs = await (
      await fetch(`${daemon.url}/system/logs?name=no`, { headers: { authorization: auth } })
    ).text();
    expect(logs).toContain("/nonexistent");
  });

  it("runs http functions under the kernel (the node-http template, a server on $PORT)", async () => {
    expect((await deploy({ service: "web", image: "node-http" })).status).toBe(202);
    const first = await invoke("web", "one");
    expect(await first.text()).toBe("Hello from node-http: one");
    // The second request goes to the same, now warm, instance.
    expect(await (await invoke("web", "two")).text()).toBe("Hello from node-http: two");
    const status = (await (
      await fetch(`${daemon.url}/system/function/web`, { headers: { authorization: auth } })
    ).json()) as { availableReplicas: number };
    expect(status.availableReplicas).toBe(1);
  });

  it("logs of a running http instance arrive while it runs, not at its exit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "junction-logs-fn-"));
    writeFileSync(
      join(dir, "handler.py"),
      'import sys\ndef handle(event, context):\n    print("served " + event.body.decode(), file=sys.stderr, flush=True)\n    return {"statusCode": 200, "body": b"ok"}\n',
    );
    writeFileSync(
      join(dir, "junction.json"),
      JSON.stringify({ template: "python3-http", protocol: "http" }),
    );
    expect((await deploy({ service: "talker", image: `dir:${dir}` })).status).toBe(202);
    expect(await (await invoke("talker", "hello")).text()).toBe("ok");
    let text = "";
    for (let i = 0; i < 200 && !text.includes("served hello"); i++) {
      const res = await fetch(`${daemon.url}/system/logs?name=talker`, {
        headers: { authorization: auth },
      });
      text = await res.text();
      if (!text.includes("served hello")) await new Promise((r) => setTimeout(r, 25));
    }
    expect(text).toContain('"text":"served hello"');
    // Still the same live instance.
    const status = (await (
      await fetch(`${daemon.url}/system/function/talker`, { headers: { authorization: auth } })
    ).json()) as { availableReplicas: number };
    expect(status.availableReplicas).toBe(1);
  });

  it("shows a function its secrets at /var/openfaas/secrets, and updated values", async () => {
    const secret = (method: string, body: object) =>
      fetch(`${daemon.url}/system/secrets`, {
        method,
        headers: { authorization: auth, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await secret("POST", { name: "api-key", value: "first" })).status).toBe(201);
    expect((await secret("POST", { name: "other", value: "not yours" })).status).toBe(201);
    const res = await deploy({
      service: "reader",
      image: "binary",
      envProcess: "/bin/ls /var/openfaas/secrets",
      secrets: ["api-key"],
    });
    expect(res.status, await res.clone().text()).toBe(202);
    expect((await (await invoke("reader", "")).text()).trim()).toBe("api-key");
    const cat = await deploy({
      service: "cat-secret",
      image: "binary",
      envProcess: "/bin/cat /var/openfaas/secrets/api-key",
      secrets: ["api-key"],
    });
    expect(cat.status).toBe(202);
    expect(await (await invoke("cat-secret", "")).text()).toBe("first");
    expect((await secret("PUT", { name: "api-key", value: "second" })).status).toBe(200);
    expect(await (await invoke("cat-secret", "")).text()).toBe("second");
  });

  it("runs http functions on the host starter", async () => {
    const res = await deploy({
      service: "web-host",
      image: "node-http",
      annotations: { "com.junction.starter": "host" },
    });
    expect(res.status).toBe(202);
    expect(await (await invoke("web-host", "hi")).text()).toBe("Hello from node-http: hi");
  });
});

describe.skipIf(!kernel)("junction daemon (the command)", () => {
  it("prints where it listens, serves, and stops on SIGTERM", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "junction-daemon-cli-"));
    const cli = startJunction(["daemon", "--port", "0", "--state", stateDir], {});
    const line = await cli.line("junction daemon: listening on ");
    const url = line.slice("junction daemon: listening on ".length).trim();
    expect((await (await fetch(`${url}/healthz`)).text()).trim()).toBe("OK");
    cli.child.kill("SIGTERM");
    const result = await cli.exited;
    expect(result.status).toBe(0);
    rmSync(stateDir, { recursive: true, force: true });
  });
});
