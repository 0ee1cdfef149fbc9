// The node-http template's entry point: an HTTP server on $PORT (or one request over stdin and
// stdout without it) calling handler.js's `async (event, context) => ({ statusCode, body })`.
"use strict";
const http = require("node:http");
const handler = require("./handler.js");

function reply(result) {
  if (result === null || typeof result !== "object" || Buffer.isBuffer(result)) {
    return { status: 200, headers: {}, body: Buffer.from(result ?? "") };
  }
  const body = result.body ?? "";
  return {
    status: result.statusCode ?? 200,
    headers: result.headers ?? {},
    body: Buffer.isBuffer(body)
      ? body
      : Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
  };
}

function read(stream) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    stream.on("data", (c) => chunks.push(c));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

const context = { hostname: process.env.HOSTNAME ?? "localhost" };

async function serve(port) {
  const server = http.createServer(async (req, res) => {
    const [path, query = ""] = (req.url ?? "/").split("?", 2);
    const event = { body: await read(req), headers: req.headers, method: req.method, path, query };
    let out;
    try {
      out = reply(await handler(event, context));
    } catch (err) {
      console.error("handler failed:", err);
      out = { status: 500, headers: {}, body: Buffer.from(`${err}\n`) };
    }
    res.writeHead(out.status, { ...out.headers, "content-length": out.body.length });
    res.end(out.body);
  });
  server.listen(port, "127.0.0.1");
}

async function stdio() {
  const event = {
    body: await read(process.stdin),
    headers: {},
    method: process.env.Http_Method ?? "POST",
    path: process.env.Http_Path ?? "/",
    query: process.env.Http_Query ?? "",
  };
  process.stdout.write(reply(await handler(event, context)).body);
}

if (process.env.PORT) serve(Number(process.env.PORT));
else stdio();
