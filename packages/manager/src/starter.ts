// How instances are started: an interface with one implementation per way of running a
// program (kernel-starter.ts, host-starter.ts). The manager never spawns anything itself.

/** A read-only host directory shown to the instance at `path`. */
export interface Bind {
  host: string;
  path: string;
}

/** Everything a starter needs to start one instance. */
export interface InstanceSpec {
  /** Unique per instance; used in logs. */
  id: string;
  program: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Bytes, from the function's `limits.memory`. */
  memory?: number;
  /** CPUs, from `limits.cpu`. */
  cpus?: number;
  /** Directories the instance sees read-only (secrets at /var/openfaas/secrets). */
  binds: Bind[];
  /** The request body for stdio instances; stdin is closed after it. */
  input?: Uint8Array;
  /**
   * `true` (stdio protocol): stdout is the response, kept in `InstanceEnd.stdout`.
   * `false` (http protocol): stdout lines go to the log like stderr.
   */
  captureStdout: boolean;
}

/** How an instance ended. */
export interface InstanceEnd {
  status: number | null;
  signal: string | null;
  /** Everything it wrote to stdout (stdio protocol: the response). */
  stdout: Buffer;
}

export interface StartedInstance {
  readonly pid: number | undefined;
  /** Ends the instance (SIGKILL unless told otherwise). */
  kill(signal?: NodeJS.Signals): void;
  /** Settles when the instance has ended; rejects when it could not start at all. */
  readonly ended: Promise<InstanceEnd>;
}

/** A line of an instance's stderr (or, for http instances, stdout). */
export type LogSink = (line: string) => void;

export interface InstanceStarter {
  /** A short name for metrics and `junction.starter` annotations: "kernel", "host". */
  readonly name: string;
  /**
   * Whether this starter can give instances `binds` (secrets). When it cannot, functions with
   * secrets are refused at deploy rather than started without them.
   */
  readonly supportsBinds: boolean;
  /** Whether instances can listen on TCP ports (the http protocol needs it). */
  readonly supportsListen: boolean;
  start(spec: InstanceSpec, log: LogSink): StartedInstance;
}

/** Splits a stream of chunks into lines for `sink`; `flush` emits a last unterminated line. */
export function lineSplitter(sink: LogSink): { push(chunk: Buffer): void; flush(): void } {
  let rest = "";
  return {
    push(chunk) {
      const text = rest + chunk.toString("utf8");
      const lines = text.split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) sink(line);
    },
    flush() {
      if (rest !== "") sink(rest);
      rest = "";
    },
  };
}
