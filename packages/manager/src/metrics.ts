// Prometheus metrics: the OpenFaaS gateway's names, so its dashboards and alerts work, and the
// kernel's own start-kind and restore-time metrics.
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export interface Metrics {
  readonly registry: Registry;
  readonly invocations: Counter<"function_name" | "code">;
  readonly seconds: Histogram<"function_name" | "code">;
  readonly starts: Counter<"kind">;
  readonly restoreSeconds: Histogram;
}

export interface MetricsSources {
  /** Replicas per function, for gateway_service_count. */
  replicas(): Map<string, number>;
  /** Resident memory of each function's live instances, summed, in bytes. */
  memory(): Map<string, number>;
}

export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  const invocations = new Counter({
    name: "gateway_function_invocation_total",
    help: "Function invocations by status code",
    labelNames: ["function_name", "code"] as const,
    registers: [registry],
  });
  const seconds = new Histogram({
    name: "gateway_functions_seconds",
    help: "Function invocation time, end to end, in seconds",
    labelNames: ["function_name", "code"] as const,
    registers: [registry],
  });
  new Gauge({
    name: "gateway_service_count",
    help: "Replicas of each function",
    labelNames: ["function_name"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [name, n] of sources.replicas()) this.set({ function_name: name }, n);
    },
  });
  const starts = new Counter({
    name: "junction_instance_starts_total",
    help: "Instances started, by kind: cold (a fresh start) or restore (from a snapshot)",
    labelNames: ["kind"] as const,
    registers: [registry],
  });
  // Both kinds appear from the start, so a dashboard can tell "none yet" from "no data".
  starts.inc({ kind: "cold" }, 0);
  starts.inc({ kind: "restore" }, 0);
  const restoreSeconds = new Histogram({
    name: "junction_restore_seconds",
    help: "Time to restore an instance from its function's snapshot, in seconds",
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [registry],
  });
  new Gauge({
    name: "junction_instance_memory_bytes",
    help: "Resident memory of each function's live instances, in bytes",
    labelNames: ["function_name"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [name, bytes] of sources.memory()) this.set({ function_name: name }, bytes);
    },
  });
  return { registry, invocations, seconds, starts, restoreSeconds };
}
