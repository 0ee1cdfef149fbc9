// A function's lifecycle settings, read from its labels and env vars with the names OpenFaaS
// and its watchdog use, falling back to the manager's defaults.
import { ManagerError } from "./errors.js";
import type { FunctionDeployment } from "./types.js";

export interface LifecycleDefaults {
  /** How long an idle instance lives before it is stopped (`com.openfaas.scale.zero-duration`). */
  idleTimeoutMs: number;
  /** How long one invocation may run (`exec_timeout`). */
  execTimeoutMs: number;
  /** Requests in flight per http instance (`max_inflight`). */
  concurrency: number;
  /** Requests waiting for an instance, per function, before 429 (`com.junction.queue`). */
  queueLimit: number;
  /** Most instances of one function (`com.openfaas.scale.max`). */
  maxInstances: number;
  /** How long an http instance may take to listen on its port. */
  startTimeoutMs: number;
}

export interface LifecycleSettings extends LifecycleDefaults {
  /** Instances kept warm even when idle (`com.openfaas.scale.min`, or scale-function). */
  minInstances: number;
}

function invalid(field: string, message: string): ManagerError {
  return new ManagerError("invalid", message, field);
}

/** Go's time.Duration syntax as OpenFaaS uses it ("30s", "1m30s", "500ms"), or plain seconds. */
export function parseDuration(text: string, field: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = text;
  while (rest !== "") {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (m === null)
      throw invalid(field, `${field} '${text}' is not a duration like 30s, 2m or 500ms`);
    total += Number(m[1]) * (unit[m[2] as string] as number);
    rest = rest.slice(m[0].length);
  }
  return total;
}

function count(text: string, field: string, min: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min) {
    throw invalid(field, `${field} must be a whole number, at least ${min}; got '${text}'`);
  }
  return Number(text);
}

/** The settings of `deployment`; throws `invalid` for labels or env vars that do not parse. */
export function lifecycleSettings(
  deployment: FunctionDeployment,
  defaults: LifecycleDefaults,
): LifecycleSettings {
  const labels = deployment.labels ?? {};
  const env = deployment.envVars ?? {};
  const out: LifecycleSettings = { ...defaults, minInstances: 0 };
  const min = labels["com.openfaas.scale.min"];
  const max = labels["com.openfaas.scale.max"];
  const zero = labels["com.openfaas.scale.zero-duration"];
  const queue = labels["com.junction.queue"];
  if (min !== undefined) out.minInstances = count(min, "labels.com.openfaas.scale.min", 0);
  if (max !== undefined) out.maxInstances = count(max, "labels.com.openfaas.scale.max", 1);
  if (out.minInstances > out.maxInstances) {
    throw invalid(
      "labels.com.openfaas.scale.min",
      `com.openfaas.scale.min (${out.minInstances}) is above com.openfaas.scale.max (${out.maxInstances})`,
    );
  }
  if (zero !== undefined) {
    out.idleTimeoutMs = parseDuration(zero, "labels.com.openfaas.scale.zero-duration");
  }
  if (queue !== undefined) out.queueLimit = count(queue, "labels.com.junction.queue", 0);
  if (env.exec_timeout !== undefined) {
    out.execTimeoutMs = parseDuration(env.exec_timeout, "envVars.exec_timeout");
    if (out.execTimeoutMs <= 0)
      throw invalid("envVars.exec_timeout", "exec_timeout must be above 0");
  }
  if (env.max_inflight !== undefined) {
    out.concurrency = count(env.max_inflight, "envVars.max_inflight", 1);
  }
  return out;
}

/** Kubernetes quantities as OpenFaaS writes limits: "128Mi", "1G", "512000". */
export function parseMemory(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G|k)?$/.exec(text);
  if (m === null)
    throw invalid("limits.memory", `limits.memory '${text}' is not a size like 128Mi or 1G`);
  const scale: Record<string, number> = {
    "": 1,
    k: 1e3,
    K: 1e3,
    M: 1e6,
    G: 1e9,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
  };
  const bytes = Math.floor(Number(m[1]) * (scale[m[2] ?? ""] as number));
  if (bytes <= 0) throw invalid("limits.memory", "limits.memory must be above 0");
  return bytes;
}

/** "0.5", "2" or millicores "500m". */
export function parseCpu(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(m)?$/.exec(text);
  if (m === null)
    throw invalid("limits.cpu", `limits.cpu '${text}' is not a CPU count like 0.5 or 500m`);
  const cpus = Number(m[1]) / (m[2] === "m" ? 1000 : 1);
  if (cpus < 0.01) throw invalid("limits.cpu", "limits.cpu must be at least 0.01 (10m)");
  return cpus;
}
