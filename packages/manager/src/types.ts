// The OpenFaaS provider API's JSON shapes (github.com/openfaas/faas-provider, types/model.go,
// types/requests.go, logs), so that faas-cli and the OpenFaaS gateway can talk to the daemon.

/** CPU and memory, as OpenFaaS spells them ("128Mi", "0.5"). */
export interface FunctionResources {
  memory?: string;
  cpu?: string;
}

/** A request to create or update a function (POST and PUT /system/functions). */
export interface FunctionDeployment {
  /** The function's name. */
  service: string;
  /** `dir:/abs/path` (a function directory) or a bundled template name, e.g. `python3-http`. */
  image: string;
  namespace?: string;
  /** Overrides the manifest's command (a shell-free, space-separated command line). */
  envProcess?: string;
  envVars?: Record<string, string>;
  constraints?: string[];
  secrets?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  limits?: FunctionResources;
  requests?: FunctionResources;
  readOnlyRootFilesystem?: boolean;
}

/** CPU and RAM used by all of a function's replicas. */
export interface FunctionUsage {
  cpu?: number;
  totalMemoryBytes?: number;
}

/** A function as GET /system/functions and GET /system/function/{name} report it. */
export interface FunctionStatus {
  name: string;
  image: string;
  namespace?: string;
  envProcess?: string;
  envVars?: Record<string, string>;
  constraints?: string[];
  secrets?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  limits?: FunctionResources;
  requests?: FunctionResources;
  readOnlyRootFilesystem?: boolean;
  invocationCount: number;
  replicas: number;
  availableReplicas: number;
  /** RFC 3339. */
  createdAt: string;
  usage?: FunctionUsage;
}

/** POST /system/scale-function/{name}. */
export interface ScaleServiceRequest {
  serviceName: string;
  replicas: number;
  namespace?: string;
}

/** DELETE /system/functions. */
export interface DeleteFunctionRequest {
  functionName: string;
  namespace?: string;
}

/** /system/secrets bodies; `value` or `rawValue` (base64 in JSON) is the secret. */
export interface Secret {
  name: string;
  namespace?: string;
  value?: string;
  rawValue?: string;
}

/** GET /system/info. */
export interface ProviderInfo {
  provider: string;
  orchestration: string;
  version: { sha: string; release: string };
}

/** One line of GET /system/logs (NDJSON). */
export interface LogMessage {
  name: string;
  namespace: string;
  instance: string;
  /** RFC 3339 with fractional seconds. */
  timestamp: string;
  text: string;
}

/** The only namespace; OpenFaaS's default for functions. */
export const NAMESPACE = "openfaas-fn";
