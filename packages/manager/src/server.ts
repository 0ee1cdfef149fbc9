// The HTTP face of a Manager: the OpenFaaS provider API, invocation routes, /healthz and
// /metrics, with every failure a JSON error { error: { code, message, field? } }.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { checkBasicAuth } from "./credentials.js";
import { ManagerError } from "./errors.js";
import type { InvokeRequest } from "./invocation.js";
import type { LogQuery } from "./logs.js";
import type { Manager } from "./manager.js";
import { NAMESPACE } from "./types.js";
import { checkName, checkNamespace, parseDelete, parseScale, parseSecret } from "./validate.js";

export interface ServerOptions {
  /** Largest /system/* request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Largest invocation body in bytes (default 16 MiB). */
  invokeBodyLimit?: number;
}

interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

function errorBody(code: string, message: string, field?: string): ErrorBody {
  return { error: field === undefined ? { code, message } : { code, message, field } };
}

/** A function name from a path, which may carry the namespace: `name.openfaas-fn`. */
function pathName(raw: string): string {
  const dot = raw.indexOf(".");
  if (dot >= 0) {
    checkNamespace(raw.slice(dot + 1));
    return checkName(raw.slice(0, dot), "name");
  }
  return checkName(raw, "name");
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ManagerError(
      "invalid",
      `the body is not valid JSON: ${(err as Error).message}`,
      "body",
    );
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function invokeRequest(request: FastifyRequest, path: string): InvokeRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers)) {
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
  }
  const q = request.url.indexOf("?");
  const body = request.body;
  return {
    method: request.method,
    path,
    query: q >= 0 ? request.url.slice(q + 1) : "",
    headers,
    body: Buffer.isBuffer(body) ? body : Buffer.alloc(0),
  };
}

function parseLogQuery(request: FastifyRequest): { query: LogQuery; follow: boolean } {
  const q = request.query as Record<string, string | undefined>;
  checkNamespace(q.namespace);
  if (q.name === undefined || q.name === "") {
    throw new ManagerError("invalid", "name is required (the function whose logs to read)", "name");
  }
  const query: LogQuery = { name: pathName(q.name) };
  if (q.instance !== undefined && q.instance !== "") query.instance = q.instance;
  if (q.tail !== undefined && q.tail !== "") {
    if (!/^-?\d+$/.test(q.tail))
      throw new ManagerError("invalid", "tail must be a whole number", "tail");
    // faas-cli sends -1 for "everything".
    const tail = Number(q.tail);
    if (tail >= 0) query.tail = tail;
  }
  if (q.since !== undefined && q.since !== "") {
    const since = new Date(q.since);
    if (!/^\d{4}-\d\d-\d\dT/.test(q.since) || Number.isNaN(since.getTime())) {
      throw new ManagerError(
        "invalid",
        "since must be an RFC 3339 time, e.g. 2024-01-31T12:00:00Z",
        "since",
      );
    }
    query.since = since;
  }
  let follow = false;
  if (q.follow !== undefined && q.follow !== "") {
    if (!/^(1|t|true|0|f|false)$/i.test(q.follow)) {
      throw new ManagerError("invalid", "follow must be true or false", "follow");
    }
    follow = /^(1|t|true)$/i.test(q.follow);
  }
  return { query, follow };
}

/** Builds the Fastify app over `manager` (not listening; call `listen`). */
export function createServer(manager: Manager, options: ServerOptions = {}): FastifyInstance {
  // forceCloseConnections: followed log streams never end by themselves; close() ends them.
  const app = Fastify({ bodyLimit: options.bodyLimit ?? 1024 * 1024, forceCloseConnections: true });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _request, reply) => {
    if (err instanceof ManagerError) {
      return reply.status(err.status).send(errorBody(err.code, err.message, err.field));
    }
    if (err.statusCode === 413) {
      return reply
        .status(413)
        .send(errorBody("too_large", "the request body is larger than the limit"));
    }
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send(errorBody("bad_request", err.message));
    }
    reply.log.error(err);
    return reply.status(500).send(errorBody("internal", err.message));
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send(errorBody("no_route", `no route ${request.method} ${request.url.split("?")[0]}`));
  });

  app.get("/healthz", async (_request, reply) => reply.type("text/plain").send("OK"));
  app.get("/metrics", async (_request, reply) => {
    reply.type(manager.metrics.contentType);
    return manager.metrics.metrics();
  });

  app.register(async (system) => {
    // Every /system body is JSON, whatever Content-Type the client sent (curl -d sends a form type).
    system.removeAllContentTypeParsers();
    system.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => {
      try {
        done(null, parseJson(body as string));
      } catch (err) {
        done(err as Error, undefined);
      }
    });
    system.addHook("onRequest", async (request, reply) => {
      if (!checkBasicAuth(request.headers.authorization, manager.credentials)) {
        reply.header("www-authenticate", 'Basic realm="junction"');
        return reply
          .status(401)
          .send(
            errorBody(
              "unauthorized",
              "wrong or missing credentials (basic auth; see <state>/credentials.json)",
            ),
          );
      }
      // faas-cli adds ?namespace= to /system calls; only the one namespace exists.
      checkNamespace((request.query as Record<string, unknown>).namespace);
    });

    system.get("/system/functions", async () => {
      return manager.list();
    });
    system.post("/system/functions", async (request, reply) => {
      reply.status(202);
      return manager.deploy(request.body);
    });
    system.put("/system/functions", async (request, reply) => {
      reply.status(202);
      return manager.update(request.body);
    });
    system.delete("/system/functions", async (request, reply) => {
      const { functionName } = parseDelete(request.body);
      await manager.remove(functionName);
      return reply.status(202).send();
    });
    system.get("/system/function/:name", async (request) => {
      return manager.get(pathName((request.params as { name: string }).name));
    });
    system.post("/system/scale-function/:name", async (request, reply) => {
      const name = pathName((request.params as { name: string }).name);
      const scale = parseScale(request.body, name);
      await manager.scale(name, scale.replicas);
      return reply.status(202).send();
    });
    system.get("/system/info", async () => manager.info());
    system.get("/system/namespaces", async () => [NAMESPACE]);
    system.get("/system/secrets", async () => {
      return manager.listSecrets();
    });
    system.post("/system/secrets", async (request, reply) => {
      const { name, value } = parseSecret(request.body, true);
      await manager.createSecret(name, value);
      return reply.status(201).send();
    });
    system.put("/system/secrets", async (request, reply) => {
      const { name, value } = parseSecret(request.body, true);
      await manager.updateSecret(name, value);
      return reply.status(200).send();
    });
    system.delete("/system/secrets", async (request, reply) => {
      const { name } = parseSecret(request.body, false);
      await manager.removeSecret(name);
      // 200, not 204: every faas-cli version counts 200 as success.
      return reply.status(200).send();
    });
    system.get("/system/logs", async (request, reply) => streamLogs(manager, request, reply));
  });

  app.register(async (invocations) => {
    // Invocation bodies are the function's business: any type, passed on as bytes.
    invocations.removeAllContentTypeParsers();
    invocations.addContentTypeParser(
      "*",
      { parseAs: "buffer", bodyLimit: options.invokeBodyLimit ?? 16 * 1024 * 1024 },
      (_request, body, done) => done(null, body),
    );
    const sync = async (request: FastifyRequest, reply: FastifyReply) => {
      const params = request.params as { name: string; "*"?: string };
      const name = pathName(params.name);
      const rest = params["*"];
      const response = await manager.invoke(
        name,
        invokeRequest(request, rest === undefined ? "" : `/${rest}`),
      );
      reply.status(response.status);
      for (const [k, v] of Object.entries(response.headers)) reply.header(k, v);
      return reply.send(response.body);
    };
    const async_ = async (request: FastifyRequest, reply: FastifyReply) => {
      const params = request.params as { name: string; "*"?: string };
      const name = pathName(params.name);
      const rest = params["*"];
      const callback = firstHeader(request.headers["x-callback-url"]);
      const callId = manager.invokeAsync(
        name,
        invokeRequest(request, rest === undefined ? "" : `/${rest}`),
        callback,
      );
      return reply.status(202).header("x-call-id", callId).send();
    };
    invocations.all("/function/:name", sync);
    invocations.all("/function/:name/*", sync);
    invocations.post("/async-function/:name", async_);
    invocations.post("/async-function/:name/*", async_);
  });

  return app;
}

async function streamLogs(
  manager: Manager,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const { query, follow } = parseLogQuery(request);
  // Both throw not_found before anything is sent, so the error still gets a status.
  const history = manager.logs(query);
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { "content-type": "application/x-ndjson", "cache-control": "no-cache" });
  // A follower with no history yet must still see the status line now, not at the first line.
  raw.flushHeaders();
  for (const m of history) raw.write(`${JSON.stringify(m)}\n`);
  if (!follow) {
    raw.end();
    return;
  }
  const stop = manager.followLogs(query, (m) => raw.write(`${JSON.stringify(m)}\n`));
  request.raw.on("close", stop);
  raw.on("close", stop);
}
