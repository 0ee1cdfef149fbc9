// The OpenFaaS provider API over host-process instances: every route, and every bad input
// answered with a JSON error naming what was wrong.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionDir, type Harness, startHarness } from "./support/harness.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
}

async function errorOf(res: Response): Promise<{ code: string; message: string; field?: string }> {
  const body = (await res.json()) as { error: { code: string; message: string; field?: string } };
  return body.error;
}

describe("health, info, namespaces, metrics", () => {
  it("/healthz answers without credentials", async () => {
    const res = await h.call("GET", "/healthz", undefined, { auth: null });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("OK");
  });

  it("/system/info is a ProviderInfo", async () => {
    const res = await h.call("GET", "/system/info");
    expect(res.status).toBe(200);
    const info = (await res.json()) as Record<string, unknown>;
    expect(info.provider).toBe("junction");
    expect(info.orchestration).toBe("junction");
    expect(info.version).toMatchObject({ release: "0.0.0" });
  });

  it("/system/namespaces lists the one namespace", async () => {
    const res = await h.call("GET", "/system/namespaces");
    expect(await res.json()).toEqual(["openfaas-fn"]);
  });
});

describe("basic auth", () => {
  it("refuses /system without credentials, with a challenge", async () => {
    const res = await h.call("GET", "/system/functions", undefined, { auth: null });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Basic");
    expect((await errorOf(res)).code).toBe("unauthorized");
  });

  it("refuses a wrong password and a wrong user", async () => {
    const { username, password } = h.manager.credentials;
    for (const pair of [`${username}:${password}x`, `root:${password}`, "garbage"]) {
      const auth = `Basic ${Buffer.from(pair).toString("base64")}`;
      const res = await h.call("GET", "/system/functions", undefined, { auth });
      expect(res.status).toBe(401);
    }
  });

  it("keeps the credentials in a 0600 file in the state directory", () => {
    const mode = statSync(join(h.stateDir, "credentials.json")).mode & 0o777;
    expect(mode).toBe(0o600);
  });
});

describe("deploy, list, describe, update, remove", () => {
  it("deploys a bundled template and invokes it", async () => {
    const res = await h.call("POST", "/system/functions", { service: "echo", image: "binary" });
    expect(res.status).toBe(202);
    const list = (await (await h.call("GET", "/system/functions")).json()) as { name: string }[];
    expect(list.map((f) => f.name)).toContain("echo");
    const inv = await h.call("POST", "/function/echo", "hello", { auth: null });
    expect(inv.status).toBe(200);
    expect(await inv.text()).toBe("hello");
  });

  it("describes a function with the FunctionStatus fields", async () => {
    await h.call("POST", "/system/functions", {
      service: "described",
      image: "binary",
      envVars: { A: "1" },
      labels: { team: "x" },
      annotations: { note: "y" },
    });
    const res = await h.call("GET", "/system/function/described");
    expect(res.status).toBe(200);
    const status = (await res.json()) as Record<string, unknown>;
    expect(status).toMatchObject({
      name: "described",
      image: "binary",
      namespace: "openfaas-fn",
      envVars: { A: "1" },
      labels: { team: "x" },
      annotations: { note: "y" },
      invocationCount: 0,
      // stdio: always ready, each request gets an instance of its own.
      replicas: 1,
      availableReplicas: 1,
    });
    expect(Number.isNaN(Date.parse(status.createdAt as string))).toBe(false);
    // name.namespace, as the gateway writes it
    expect((await h.call("GET", "/system/function/described.openfaas-fn")).status).toBe(200);
  });

  it("counts invocations", async () => {
    await h.call("POST", "/system/functions", { service: "counted", image: "binary" });
    for (let i = 0; i < 3; i++) await h.call("POST", "/function/counted", "x");
    const status = (await (await h.call("GET", "/system/function/counted")).json()) as {
      invocationCount: number;
    };
    expect(status.invocationCount).toBe(3);
  });

  it("updates with PUT (new env reaches the next instance) and keeps createdAt", async () => {
    const image = functionDir(
      { "env.sh": '#!/bin/sh\nprintf %s "$GREETING"\n' },
      { command: ["./env.sh"] },
    );
    await h.call("POST", "/system/functions", {
      service: "greeter",
      image,
      envVars: { GREETING: "one" },
    });
    const before = (await (await h.call("GET", "/system/function/greeter")).json()) as {
      createdAt: string;
    };
    expect(await (await h.call("POST", "/function/greeter")).text()).toBe("one");
    const put = await h.call("PUT", "/system/functions", {
      service: "greeter",
      image,
      envVars: { GREETING: "two" },
    });
    expect(put.status).toBe(202);
    expect(await (await h.call("POST", "/function/greeter")).text()).toBe("two");
    const after = (await (await h.call("GET", "/system/function/greeter")).json()) as {
      createdAt: string;
    };
    expect(after.createdAt).toBe(before.createdAt);
  });

  it("removes a function; it is gone from the list and invocation", async () => {
    await h.call("POST", "/system/functions", { service: "doomed", image: "binary" });
    const del = await h.call("DELETE", "/system/functions", { functionName: "doomed" });
    expect(del.status).toBe(202);
    expect((await h.call("GET", "/system/function/doomed")).status).toBe(404);
    expect((await h.call("POST", "/function/doomed", "x")).status).toBe(404);
  });
});

describe("bad input", () => {
  const cases: [string, unknown, string][] = [
    ["no body", undefined, "body"],
    ["an array", [], "body"],
    ["missing service", { image: "binary" }, "service"],
    ["service not a string", { service: 7, image: "binary" }, "service"],
    ["upper-case name", { service: "Echo", image: "binary" }, "service"],
    ["name with a dot", { service: "a.b", image: "binary" }, "service"],
    ["name too long", { service: "a".repeat(64), image: "binary" }, "service"],
    ["missing image", { service: "x" }, "image"],
    ["a container image", { service: "x", image: "ghcr.io/openfaas/figlet:latest" }, "image"],
    ["a relative dir", { service: "x", image: "dir:fn" }, "image"],
    ["a missing dir", { service: "x", image: "dir:/nonexistent/fn" }, "image"],
    ["envVars not strings", { service: "x", image: "binary", envVars: { A: 1 } }, "envVars.A"],
    ["labels an array", { service: "x", image: "binary", labels: ["a"] }, "labels"],
    ["secrets not a list", { service: "x", image: "binary", secrets: "s" }, "secrets"],
    ["an unknown secret", { service: "x", image: "binary", secrets: ["nope"] }, "secrets"],
    ["an unknown namespace", { service: "x", image: "binary", namespace: "prod" }, "namespace"],
    ["bad memory", { service: "x", image: "binary", limits: { memory: "lots" } }, "limits.memory"],
    ["bad cpu", { service: "x", image: "binary", limits: { cpu: "fast" } }, "limits.cpu"],
    [
      "min above max",
      {
        service: "x",
        image: "binary",
        labels: { "com.openfaas.scale.min": "3", "com.openfaas.scale.max": "2" },
      },
      "labels.com.openfaas.scale.min",
    ],
    [
      "bad exec_timeout",
      { service: "x", image: "binary", envVars: { exec_timeout: "soon" } },
      "envVars.exec_timeout",
    ],
    [
      "an unknown starter",
      { service: "x", image: "binary", annotations: { "com.junction.starter": "vm" } },
      "annotations.com.junction.starter",
    ],
    [
      "readOnlyRootFilesystem not a boolean",
      { service: "x", image: "binary", readOnlyRootFilesystem: "yes" },
      "readOnlyRootFilesystem",
    ],
  ];
  for (const [what, body, field] of cases) {
    it(`deploy with ${what}: 400 naming ${field}`, async () => {
      const res = await h.call("POST", "/system/functions", body);
      expect(res.status).toBe(400);
      const error = await errorOf(res);
      expect(error.code).toBe("invalid");
      expect(error.field).toBe(field);
    });
  }

  it("a bad manifest: 400 saying what is wrong with it", async () => {
    const image = functionDir({}, { command: [], protocol: "carrier-pigeon" });
    const res = await h.call("POST", "/system/functions", { service: "badmanifest", image });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toContain("protocol");
  });

  it("bad JSON: 400", async () => {
    const res = await h.call("POST", "/system/functions", '{"service": ', {
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toContain("not valid JSON");
  });

  it("a body over the limit: 413", async () => {
    const res = await h.call("POST", "/system/functions", {
      service: "big",
      image: "binary",
      pad: "x".repeat(2 * 1024 * 1024),
    });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("too_large");
  });

  it("an invocation body over the limit: 413", async () => {
    await h.call("POST", "/system/functions", { service: "bigbody", image: "binary" });
    const res = await h.call("POST", "/function/bigbody", Buffer.alloc(2 * 1024 * 1024));
    expect(res.status).toBe(413);
  });

  it("unknown functions: 404 everywhere", async () => {
    for (const [method, path, body] of [
      ["GET", "/system/function/ghost", undefined],
      ["POST", "/function/ghost", "x"],
      ["POST", "/async-function/ghost", "x"],
      ["DELETE", "/system/functions", { functionName: "ghost" }],
      ["POST", "/system/scale-function/ghost", { serviceName: "ghost", replicas: 1 }],
      ["PUT", "/system/functions", { service: "ghost", image: "binary" }],
      ["GET", "/system/logs?name=ghost", undefined],
    ] as const) {
      const res = await h.call(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect((await errorOf(res)).code).toBe("not_found");
    }
  });

  it("invalid names in paths: 400", async () => {
    for (const [method, path] of [
      ["POST", "/function/Bad_Name"],
      ["GET", "/system/function/bad_name"],
      ["POST", "/function/ok.other-namespace"],
      ["GET", "/system/logs?name=UPPER"],
    ] as const) {
      const res = await h.call(method, path);
      expect(res.status, path).toBe(400);
      expect((await errorOf(res)).code).toBe("invalid");
    }
  });

  it("deploying a name twice: 409", async () => {
    await h.call("POST", "/system/functions", { service: "twice", image: "binary" });
    const res = await h.call("POST", "/system/functions", { service: "twice", image: "binary" });
    expect(res.status).toBe(409);
    expect((await errorOf(res)).code).toBe("exists");
  });

  it("deploy, update or remove of a name being deployed: 409 busy", async () => {
    // Hold a deploy of "racy" between its files and its commit, then race it.
    let release = (): void => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const gated = await startHarness({
      beforeCommit: async (name) => {
        if (name === "racy") await gate;
      },
    });
    try {
      const first = gated.call("POST", "/system/functions", { service: "racy", image: "binary" });
      await until(
        async () =>
          existsSync(join(gated.stateDir, "artifacts")) &&
          readdirSync(join(gated.stateDir, "artifacts")).length > 0,
      );
      for (const [method, path, body] of [
        ["POST", "/system/functions", { service: "racy", image: "binary" }],
        ["PUT", "/system/functions", { service: "racy", image: "binary" }],
        ["DELETE", "/system/functions", { functionName: "racy" }],
      ] as const) {
        const res = await gated.call(method, path, body);
        expect(res.status, method).toBe(409);
        const error = await errorOf(res);
        expect(error.code).toBe("busy");
        expect(error.message).toContain("under way");
      }
      release();
      expect((await first).status).toBe(202);
      // Once it is done, the name is free again.
      expect(
        (await gated.call("DELETE", "/system/functions", { functionName: "racy" })).status,
      ).toBe(202);
    } finally {
      release();
      await gated.close();
    }
  });

  it("scale with bad bodies: 400", async () => {
    await h.call("POST", "/system/functions", { service: "scalable", image: "binary" });
    for (const body of [
      {},
      { replicas: -1 },
      { replicas: 1.5 },
      { replicas: "2" },
      { serviceName: "other", replicas: 1 },
    ]) {
      const res = await h.call("POST", "/system/scale-function/scalable", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  it("logs with bad queries: 400", async () => {
    for (const q of [
      "",
      "?name=echo&tail=many",
      "?name=echo&since=yesterday",
      "?name=echo&follow=perhaps",
    ]) {
      const res = await h.call("GET", `/system/logs${q}`);
      expect(res.status, q).toBe(400);
    }
  });

  it("an unknown namespace in the query of any /system call: 400", async () => {
    for (const [method, path] of [
      ["GET", "/system/functions?namespace=prod"],
      ["GET", "/system/secrets?namespace=prod"],
      ["DELETE", "/system/functions?namespace=prod"],
    ] as const) {
      const res = await h.call(
        method,
        path,
        method === "DELETE" ? { functionName: "echo" } : undefined,
      );
      expect(res.status, path).toBe(400);
      expect((await errorOf(res)).field).toBe("namespace");
    }
  });

  it("an unknown route: 404 JSON", async () => {
    const res = await h.call("GET", "/system/nothing");
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe("no_route");
  });
});

describe("requests shaped as faas-cli sends them", () => {
  it("deploy (PUT, then POST on 404) with every field faas-cli fills in, then list and remove", async () => {
    const body = {
      service: "cli-fn",
      image: "binary",
      network: "func_functions",
      envProcess: "",
      envVars: {},
      constraints: [],
      secrets: [],
      labels: {},
      annotations: {},
      limits: null,
      requests: null,
      readOnlyRootFilesystem: false,
      registryAuth: "",
      namespace: "",
    };
    expect((await h.call("PUT", "/system/functions", body)).status).toBe(404);
    expect((await h.call("POST", "/system/functions", body)).status).toBe(202);
    expect((await h.call("PUT", "/system/functions", body)).status).toBe(202);
    const list = await h.call("GET", "/system/functions?namespace=openfaas-fn");
    expect(((await list.json()) as { name: string }[]).map((f) => f.name)).toContain("cli-fn");
    expect((await h.call("GET", "/system/function/cli-fn?namespace=openfaas-fn")).status).toBe(200);
    expect(
      await (await h.call("POST", "/function/cli-fn.openfaas-fn", "via namespace")).text(),
    ).toBe("via namespace");
    const logs = await h.call(
      "GET",
      "/system/logs?name=cli-fn&namespace=openfaas-fn&follow=false&tail=-1",
    );
    expect(logs.status).toBe(200);
    const del = await h.call("DELETE", "/system/functions?namespace=openfaas-fn", {
      functionName: "cli-fn",
    });
    expect(del.status).toBe(202);
  });
});

describe("secrets", () => {
  it("create, list (names only), update, remove", async () => {
    expect(
      (await h.call("POST", "/system/secrets", { name: "api-key", value: "s3cret" })).status,
    ).toBe(201);
    expect(
      (await h.call("POST", "/system/secrets", { name: "api-key", value: "again" })).status,
    ).toBe(409);
    const list = await (await h.call("GET", "/system/secrets")).json();
    expect(list).toEqual([{ name: "api-key", namespace: "openfaas-fn" }]);
    expect(
      (await h.call("PUT", "/system/secrets", { name: "api-key", rawValue: "AAEC" })).status,
    ).toBe(200);
    const file = join(h.stateDir, "secrets", "api-key");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await h.call("DELETE", "/system/secrets", { name: "api-key" })).status).toBe(200);
    expect((await h.call("DELETE", "/system/secrets", { name: "api-key" })).status).toBe(404);
  });

  it("bad secrets: 400", async () => {
    for (const body of [
      { value: "x" },
      { name: "Bad_Name", value: "x" },
      { name: "k" },
      { name: "k", rawValue: "%%%" },
    ]) {
      const res = await h.call("POST", "/system/secrets", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  it("a function on a starter without binds cannot take secrets yet: 501, said plainly", async () => {
    await h.call("POST", "/system/secrets", { name: "token", value: "t" });
    const res = await h.call("POST", "/system/functions", {
      service: "withsecret",
      image: "binary",
      secrets: ["token"],
    });
    expect(res.status).toBe(501);
    expect((await errorOf(res)).message).toContain("/var/openfaas/secrets");
  });
});
