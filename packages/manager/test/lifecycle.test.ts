// Instance lifecycle over host processes (the http protocol needs sockets, which the kernel
// does not serve yet): scale from zero, queue and 429, exec timeout, crashes, idle timeout,
// scale-function, min replicas, async calls, logs, metrics, restart.
import { existsSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage } from "node:http";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { functionDir, type Harness, startHarness, tempState } from "./support/harness.js";

/**
 * An http function: /sleep?ms=N[&mark=FILE] (FILE is written on arrival), /crash, /pid,
 * /env?name=VAR, /log?text=..., anything else echoes.
 */
const HANDLER = `"use strict";
module.exports = async (event) => {
  const q = new URLSearchParams(event.query);
  if (q.get("mark")) require("node:fs").writeFileSync(q.get("mark"), "");
  if (event.path === "/sleep") await new Promise((r) => setTimeout(r, Number(q.get("ms"))));
  if (event.path === "/crash") process.exit(3);
  if (event.path === "/pid") return { statusCode: 200, body: String(process.pid) };
  if (event.path === "/env") return { statusCode: 200, body: process.env[q.get("name")] ?? "" };
  if (event.path === "/log") { console.error(q.get("text")); return { statusCode: 200, body: "logged" }; }
  return { statusCode: 200, headers: { "x-echo": "1" }, body: event.body };
};
`;

function httpFunction(): string {
  return functionDir({ "handler.js": HANDLER }, { template: "node-http" });
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function deploy(harness: Harness, body: Record<string, unknown>): Promise<void> {
  const res = await harness.call("POST", "/system/functions", body);
  expect(res.status, await res.clone().text()).toBe(202);
}

async function status(harness: Harness, name: string) {
  return (await (await harness.call("GET", `/system/function/${name}`)).json()) as {
    replicas: number;
    availableReplicas: number;
    invocationCount: number;
    usage?: { totalMemoryBytes?: number };
  };
}

async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("http protocol", () => {
  it("scales from zero: the first request waits for the instance and succeeds", async () => {
    h = await startHarness();
    await deploy(h, { service: "web", image: httpFunction() });
    expect((await status(h, "web")).availableReplicas).toBe(0);
    const res = await h.call("POST", "/function/web/any/path?x=1", "ping");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-echo")).toBe("1");
    expect(await res.text()).toBe("ping");
    const s = await status(h, "web");
    expect(s.availableReplicas).toBe(1);
    expect(s.usage?.totalMemoryBytes).toBeGreaterThan(0);
  });

  it("a crashed instance fails only its own request (502); the next request gets a new one", async () => {
    h = await startHarness();
    await deploy(h, { service: "crashy", image: httpFunction() });
    const slow = h.call("POST", "/function/crashy/sleep?ms=300");
    await until(
      "an instance",
      async () => (await status(h as Harness, "crashy")).availableReplicas === 1,
    );
    const crash = await h.call("POST", "/function/crashy/crash");
    expect(crash.status).toBe(502);
    expect(((await crash.json()) as { error: { code: string } }).error.code).toBe(
      "instance_failed",
    );
    // The slow request was on the same instance: it dies with it, which is the "its request".
    expect([200, 502]).toContain((await slow).status);
    const after = await h.call("POST", "/function/crashy", "still here");
    expect(after.status).toBe(200);
    expect(await after.text()).toBe("still here");
  });

  it("an update lets requests in flight on the old version finish; new ones get the new version", async () => {
    h = await startHarness();
    await deploy(h, { service: "rolling", image: httpFunction(), envVars: { V: "1" } });
    const mark = join(tempState(), "arrived");
    const slow = h.call("POST", `/function/rolling/sleep?ms=800&mark=${mark}`, "old");
    await until("the slow request in the old instance", async () => existsSync(mark));
    const put = await h.call("PUT", "/system/functions", {
      service: "rolling",
      image: httpFunction(),
      envVars: { V: "2" },
    });
    expect(put.status).toBe(202);
    const fresh = await h.call("GET", "/function/rolling/env?name=V");
    expect(await fresh.text()).toBe("2");
    const old = await slow;
    expect(old.status).toBe(200);
    expect(await old.text()).toBe("old");
  });

  it("exec timeout: 504 with a body that says so", async () => {
    h = await startHarness();
    await deploy(h, { service: "slow", image: httpFunction(), envVars: { exec_timeout: "200ms" } });
    const res = await h.call("POST", "/function/slow/sleep?ms=5000");
    expect(res.status).toBe(504);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("timeout");
    expect(body.error.message).toContain("exec timeout");
  });

  it("per-instance concurrency and a bounded queue: excess requests get 429", async () => {
    h = await startHarness();
    await deploy(h, {
      service: "narrow",
      image: httpFunction(),
      envVars: { max_inflight: "1" },
      labels: { "com.openfaas.scale.max": "1", "com.junction.queue": "1" },
    });
    const mark = join(tempState(), "arrived");
    const first = h.call("POST", `/function/narrow/sleep?ms=1000&mark=${mark}`);
    await until("the first request in the instance", async () => existsSync(mark));
    // Through the API in one synchronous run, so the second is queued before the third comes.
    const request = { method: "POST", path: "", query: "", headers: {}, body: Buffer.from("x") };
    const second = h.manager.invoke("narrow", request);
    const third = h.manager.invoke("narrow", request);
    await expect(third).rejects.toMatchObject({ code: "overloaded", status: 429 });
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    // And over HTTP the same refusal is a 429 with a JSON body.
    const busy = h.call("POST", `/function/narrow/sleep?ms=3000&mark=${mark}2`);
    await until("the busy request in the instance", async () => existsSync(`${mark}2`));
    const queued = h.manager.invoke("narrow", request);
    const refused = await h.call("POST", "/function/narrow", "x");
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("overloaded");
    expect((await busy).status).toBe(200);
    expect((await queued).status).toBe(200);
  });

  it("idle instances are stopped after the idle timeout, down to zero", async () => {
    h = await startHarness({ defaults: { idleTimeoutMs: 300 } });
    await deploy(h, { service: "idle", image: httpFunction() });
    expect((await h.call("POST", "/function/idle", "x")).status).toBe(200);
    expect((await status(h, "idle")).availableReplicas).toBe(1);
    await until("scale to zero", async () => (await status(h as Harness, "idle")).replicas === 0);
  });

  it("com.openfaas.scale.min keeps instances warm through the idle timeout", async () => {
    h = await startHarness({ defaults: { idleTimeoutMs: 100 } });
    await deploy(h, {
      service: "warm",
      image: httpFunction(),
      labels: { "com.openfaas.scale.min": "1" },
    });
    await until(
      "a warm instance",
      async () => (await status(h as Harness, "warm")).availableReplicas === 1,
    );
    const pid = await (await h.call("GET", "/function/warm/pid")).text();
    await new Promise((r) => setTimeout(r, 500));
    expect(await (await h.call("GET", "/function/warm/pid")).text()).toBe(pid);
  });

  it("scale-function starts and stops replicas", async () => {
    h = await startHarness();
    await deploy(h, { service: "scaled", image: httpFunction() });
    const up = await h.call("POST", "/system/scale-function/scaled", {
      serviceName: "scaled",
      replicas: 2,
    });
    expect(up.status).toBe(202);
    await until(
      "two replicas",
      async () => (await status(h as Harness, "scaled")).availableReplicas === 2,
    );
    await h.call("POST", "/system/scale-function/scaled", { serviceName: "scaled", replicas: 0 });
    await until("zero replicas", async () => (await status(h as Harness, "scaled")).replicas === 0);
    const over = await h.call("POST", "/system/scale-function/scaled", { replicas: 21 });
    expect(over.status).toBe(400);
  });

  it("scale-function below com.openfaas.scale.min: 400", async () => {
    h = await startHarness();
    await deploy(h, {
      service: "floor",
      image: httpFunction(),
      labels: { "com.openfaas.scale.min": "1" },
    });
    const res = await h.call("POST", "/system/scale-function/floor", { replicas: 0 });
    expect(res.status).toBe(400);
  });

  it("replicas set by scale-function come back after a restart", async () => {
    const stateDir = tempState();
    h = await startHarness({ stateDir });
    await deploy(h, { service: "kept-warm", image: httpFunction() });
    await h.call("POST", "/system/scale-function/kept-warm", { replicas: 1 });
    await until(
      "a replica",
      async () => (await status(h as Harness, "kept-warm")).availableReplicas === 1,
    );
    await h.close();
    h = await startHarness({ stateDir });
    await until(
      "the replica back",
      async () => (await status(h as Harness, "kept-warm")).availableReplicas === 1,
    );
  });

  it("an http function on a starter that cannot listen is refused at deploy: 501", async () => {
    h = await startHarness();
    const res = await h.call("POST", "/system/functions", {
      service: "nolisten",
      image: httpFunction(),
      annotations: { "com.junction.starter": "nolisten" },
    });
    expect(res.status).toBe(501);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      "http protocol",
    );
  });
});

describe("stdio protocol", () => {
  it("each request is a fresh instance, with the watchdog's Http_* variables", async () => {
    h = await startHarness();
    const image = functionDir(
      { "fn.sh": '#!/bin/sh\necho "$$ $Http_Method $Http_Path $Http_Query $Http_X_Thing"\ncat\n' },
      { command: ["./fn.sh"] },
    );
    await deploy(h, { service: "fresh", image });
    const a = await (
      await h.call("PUT", "/function/fresh/p?q=1", "body", { headers: { "x-thing": "t" } })
    ).text();
    const b = await (
      await h.call("PUT", "/function/fresh/p?q=1", "body", { headers: { "x-thing": "t" } })
    ).text();
    const [pidA, ...restA] = a.split(" ");
    const [pidB] = b.split(" ");
    expect(restA.join(" ")).toBe("PUT /p q=1 t\nbody");
    expect(pidA).not.toBe(pidB);
  });

  it("a failing instance: 502, and its stderr in the logs", async () => {
    h = await startHarness();
    const image = functionDir(
      { "fail.sh": "#!/bin/sh\necho 'it broke' >&2\nexit 4\n" },
      { command: ["./fail.sh"] },
    );
    await deploy(h, { service: "failing", image });
    const res = await h.call("POST", "/function/failing", "x");
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      "status 4",
    );
    const logs = await (await h.call("GET", "/system/logs?name=failing")).text();
    const lines = logs
      .trim()
      .split("\n")
      .map(
        (l) => JSON.parse(l) as { text: string; name: string; instance: string; namespace: string },
      );
    expect(lines.map((l) => l.text)).toContain("it broke");
    expect(lines[0]).toMatchObject({ name: "failing", namespace: "openfaas-fn" });
  });

  it("exec timeout kills the instance: 504", async () => {
    h = await startHarness();
    const image = functionDir(
      { "hang.sh": "#!/bin/sh\nexec sleep 30\n" },
      { command: ["./hang.sh"] },
    );
    await deploy(h, { service: "hang", image, envVars: { exec_timeout: "0.2" } });
    expect((await h.call("POST", "/function/hang", "x")).status).toBe(504);
  });

  it("scale-function on a stdio function: 501 with the reason", async () => {
    h = await startHarness();
    await deploy(h, { service: "cat", image: "binary" });
    const res = await h.call("POST", "/system/scale-function/cat", { replicas: 2 });
    expect(res.status).toBe(501);
  });

  it("envProcess replaces the command (OpenFaaS's fprocess)", async () => {
    h = await startHarness();
    await deploy(h, { service: "wc", image: "binary", envProcess: "/usr/bin/wc -c" });
    expect((await (await h.call("POST", "/function/wc", "12345")).text()).trim()).toBe("5");
  });

  it("envProcess as faas-cli sends it for python3 ('python3 index.py') runs the template", async () => {
    h = await startHarness();
    await deploy(h, { service: "fproc", image: "python3-http", envProcess: "python3 index.py" });
    expect(await (await h.call("POST", "/function/fproc", "x")).text()).toBe(
      "Hello from python3-http: x",
    );
  });

  it("envProcess naming a program that does not exist: 400", async () => {
    h = await startHarness();
    const res = await h.call("POST", "/system/functions", {
      service: "nothere",
      image: "binary",
      envProcess: "no-such-program-anywhere --flag",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { field: string } }).error.field).toBe("envProcess");
  });
});

describe("logs", () => {
  it("tail, since, and follow as NDJSON", async () => {
    h = await startHarness();
    await deploy(h, { service: "talker", image: httpFunction() });
    for (const text of ["one", "two", "three"])
      await h.call("GET", `/function/talker/log?text=${text}`);
    const texts = async (q: string) =>
      (await (await (h as Harness).call("GET", `/system/logs?name=talker${q}`)).text())
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { text: string }).text);
    await until("three lines", async () => (await texts("")).includes("three"));
    expect(await texts("&tail=2")).toEqual(["two", "three"]);
    expect(await texts(`&since=${new Date(Date.now() + 60_000).toISOString()}`)).toEqual([]);

    const res = await h.call("GET", "/system/logs?name=talker&follow=true&tail=0");
    expect(res.headers.get("content-type")).toContain("application/x-ndjson");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await h.call("GET", "/function/talker/log?text=live");
    let got = "";
    while (!got.includes("live")) {
      const { value, done } = await reader.read();
      if (done) break;
      got += Buffer.from(value).toString("utf8");
    }
    expect(got).toContain('"text":"live"');
    await reader.cancel();
  });
});

describe("async invocation", () => {
  it("202 with X-Call-Id, then the result POSTed to X-Callback-Url", async () => {
    h = await startHarness();
    await deploy(h, { service: "later", image: "binary" });
    const received = new Promise<{ body: string; headers: IncomingMessage["headers"] }>(
      (resolve) => {
        const server = createHttpServer((req, res) => {
          const chunks: Buffer[] = [];
          req.on("data", (c: Buffer) => chunks.push(c));
          req.on("end", () => {
            res.end();
            server.close();
            resolve({ body: Buffer.concat(chunks).toString(), headers: req.headers });
          });
        }).listen(0, "127.0.0.1", () => {
          const port = (server.address() as { port: number }).port;
          void (h as Harness)
            .call("POST", "/async-function/later", "async body", {
              headers: { "x-callback-url": `http://127.0.0.1:${port}/done` },
            })
            .then((res) => {
              expect(res.status).toBe(202);
              expect(res.headers.get("x-call-id")).toMatch(/^[0-9a-f-]{36}$/);
            });
        });
      },
    );
    const { body, headers } = await received;
    expect(body).toBe("async body");
    expect(headers["x-function-status"]).toBe("200");
    expect(headers["x-call-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("a bad X-Callback-Url: 400", async () => {
    h = await startHarness();
    await deploy(h, { service: "later2", image: "binary" });
    const res = await h.call("POST", "/async-function/later2", "x", {
      headers: { "x-callback-url": "ftp://x" },
    });
    expect(res.status).toBe(400);
  });
});

describe("metrics", () => {
  it("exposes the gateway's and the kernel's metric names", async () => {
    h = await startHarness();
    await deploy(h, { service: "measured", image: "binary" });
    await h.call("POST", "/function/measured", "x");
    await h.call("POST", "/function/measured", "x");
    const text = await (await h.call("GET", "/metrics", undefined, { auth: null })).text();
    expect(text).toContain(
      'gateway_function_invocation_total{function_name="measured.openfaas-fn",code="200"} 2',
    );
    expect(text).toContain(
      'gateway_functions_seconds_count{function_name="measured.openfaas-fn",code="200"} 2',
    );
    expect(text).toContain('gateway_service_count{function_name="measured.openfaas-fn"} 1');
    expect(text).toContain(
      'junction_instance_memory_bytes{function_name="measured.openfaas-fn"} 0',
    );
    expect(text).toContain('junction_instance_starts_total{kind="cold"} 2');
    expect(text).toContain('junction_instance_starts_total{kind="restore"} 0');
    expect(text).toContain("junction_restore_seconds_count 0");
    expect(text).toContain("junction_instance_memory_bytes");
  });
});

describe("restart", () => {
  it("a new manager on the same state directory has every deployment and secret", async () => {
    const stateDir = tempState();
    h = await startHarness({ stateDir });
    await deploy(h, { service: "kept", image: "binary", labels: { a: "b" } });
    await h.call("POST", "/system/secrets", { name: "kept-secret", value: "v" });
    const credentials = h.manager.credentials;
    await h.close();
    h = await startHarness({ stateDir });
    expect(h.manager.credentials).toEqual(credentials);
    const s = (await (await h.call("GET", "/system/function/kept")).json()) as { labels: object };
    expect(s.labels).toEqual({ a: "b" });
    expect(await (await h.call("POST", "/function/kept", "back")).text()).toBe("back");
    expect(await (await h.call("GET", "/system/secrets")).json()).toEqual([
      { name: "kept-secret", namespace: "openfaas-fn" },
    ]);
  });
});
