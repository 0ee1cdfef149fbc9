// `npm start`: the function manager (junction daemon) on the default state directory, with the
// bundled samples deployed and invoked, a table of how each call started and how long it took,
// and examples to go on with. Serves until Ctrl-C.
// Options (after `npm start --`): --port N (default 8080), --state DIR.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RUNTIME = join(ROOT, "packages/runtime/dist/index.js");
const SAMPLES = join(ROOT, "packages/manager/samples");

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

if (!existsSync(RUNTIME)) {
  console.error("npm start: packages are not built yet; run `npm install` first.");
  process.exit(1);
}
const { startDaemon } = await import(RUNTIME);
if (typeof startDaemon !== "function") {
  console.error("npm start: the built packages are older than the sources; run `npm run build`.");
  process.exit(1);
}

const port = Number(option("--port", "8080"));
const stateDir = option("--state", undefined);
let daemon;
try {
  daemon = await startDaemon({ port, host: "127.0.0.1", ...(stateDir ? { stateDir } : {}) });
} catch (err) {
  const hint =
    err.code === "EADDRINUSE" ? ` (another daemon? try: npm start -- --port ${port + 1})` : "";
  console.error(`npm start: cannot start the daemon: ${err.message}${hint}`);
  process.exit(1);
}
const { manager, url } = daemon;
const { username, password } = manager.credentials;
const auth = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
console.log(`junction daemon listening on ${url}, state in ${manager.stateDir}\n`);

/** Builds the C sample into target/samples/hello-c; null with a reason when it cannot. */
function buildC() {
  const out = join(ROOT, "target/samples/hello-c");
  mkdirSync(out, { recursive: true });
  const cc = spawnSync("cc", ["-O2", "-o", join(out, "hello"), join(SAMPLES, "hello-c/hello.c")], {
    encoding: "utf8",
  });
  if (cc.error || cc.status !== 0)
    return { skip: `cc failed: ${cc.error?.message ?? cc.stderr.trim()}` };
  writeFileSync(join(out, "junction.json"), readFileSync(join(SAMPLES, "hello-c/junction.json")));
  return { dir: out };
}

const c = buildC();
const samples = [
  {
    service: "aes-python",
    image: `dir:${join(SAMPLES, "aes-python")}`,
    protocol: "stdio",
    body: "",
  },
  // The same function as a plain host process: the baseline the kernel is measured against.
  {
    service: "aes-python-host",
    image: `dir:${join(SAMPLES, "aes-python")}`,
    annotations: { "com.junction.starter": "host" },
    protocol: "stdio",
    body: "",
  },
  c.dir
    ? { service: "hello-c", image: `dir:${c.dir}`, protocol: "stdio", body: "hello" }
    : { service: "hello-c", skip: c.skip },
  {
    service: "hello-node",
    image: `dir:${join(SAMPLES, "hello-node")}`,
    protocol: "http",
    body: "world",
  },
];

async function api(method, path, body) {
  return fetch(`${url}${path}`, {
    method,
    headers: { authorization: auth, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** faas-cli's way: update, and create when there is nothing to update. */
async function deploy(sample) {
  const spec = { service: sample.service, image: sample.image };
  if (sample.annotations) spec.annotations = sample.annotations;
  let res = await api("PUT", "/system/functions", spec);
  if (res.status === 404) res = await api("POST", "/system/functions", spec);
  if (res.status !== 202)
    throw new Error(`deploying ${sample.service}: ${res.status} ${await res.text()}`);
}

async function invoke(service, body) {
  const t0 = performance.now();
  const res = await fetch(`${url}/function/${service}`, { method: "POST", body });
  const text = await res.text();
  return { ms: performance.now() - t0, status: res.status, text: text.trim() };
}

const rows = [];
for (const sample of samples) {
  if (sample.skip) {
    rows.push([sample.service, "-", "-", "-", `skipped: ${sample.skip}`]);
    continue;
  }
  await deploy(sample);
  const starter = sample.annotations?.["com.junction.starter"] ?? "kernel";
  const protocol = sample.protocol;
  for (const call of ["first", "second", "third"]) {
    const r = await invoke(sample.service, sample.body);
    // stdio: every request is a fresh instance, so every call is a cold start until restore
    // from snapshots lands. http: the first call scales from zero, later ones find it warm.
    const kind = protocol === "stdio" ? "cold" : call === "first" ? "cold" : "warm";
    const shown =
      r.status === 200 ? r.text.slice(0, 40) : `HTTP ${r.status}: ${r.text.slice(0, 60)}`;
    rows.push([sample.service, `${starter}/${protocol}`, kind, r.ms.toFixed(1), shown]);
  }
}

const header = ["function", "starter/protocol", "start", "ms", "response"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) =>
  cells
    .map((cell, i) => String(cell).padEnd(widths[i]))
    .join("  ")
    .trimEnd();
console.log(line(header));
console.log(line(widths.map((w) => "-".repeat(w))));
for (const row of rows) console.log(line(row));
console.log(
  "\nstart: cold = a fresh instance started for the call, warm = an instance already running." +
    "\nrestore (from a snapshot) is not there yet: it comes with the snapshot issue.\n",
);

const creds = join(manager.stateDir, "credentials.json");
console.log(`Try it (credentials: ${creds}, user ${username}):

  curl -d 'some text' ${url}/function/hello-c
  curl ${url}/function/aes-python
  curl -u ${username}:${password} ${url}/system/functions
  curl -u ${username}:${password} '${url}/system/logs?name=aes-python&tail=5'
  curl ${url}/metrics

  faas-cli (https://github.com/openfaas/faas-cli):
  echo ${password} | faas-cli login --gateway ${url} --username ${username} --password-stdin
  faas-cli list --gateway ${url}
  faas-cli invoke hello-c --gateway ${url} <<< 'from faas-cli'
  faas-cli deploy --gateway ${url} --image python3-http --name hello-py

Serving until Ctrl-C.`);

const stop = async () => {
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  console.log("\nstopping instances...");
  await daemon.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
