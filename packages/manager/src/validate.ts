// Checks request bodies field by field, so that every bad input gets an error naming the field.
import { ManagerError } from "./errors.js";
import {
  type DeleteFunctionRequest,
  type FunctionDeployment,
  type FunctionResources,
  NAMESPACE,
  type ScaleServiceRequest,
  type Secret,
} from "./types.js";

/** DNS-1123 labels, as Kubernetes and faas-cli require of function and secret names. */
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_NAME = 63;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(field: string, message: string): ManagerError {
  return new ManagerError("invalid", message, field);
}

/** Throws unless `name` is a valid function or secret name. */
export function checkName(name: unknown, field: string): string {
  if (typeof name !== "string") throw invalid(field, `${field} must be a string`);
  if (name === "") throw invalid(field, `${field} is empty`);
  if (name.length > MAX_NAME || !NAME.test(name)) {
    throw invalid(
      field,
      `${field} '${name}' is not a valid name: lower-case letters, digits and '-', ` +
        `starting and ending with a letter or digit, at most ${MAX_NAME} characters`,
    );
  }
  return name;
}

/** Only the one namespace exists; an empty or missing one means it. */
export function checkNamespace(namespace: unknown, field = "namespace"): void {
  if (namespace === undefined || namespace === "" || namespace === NAMESPACE) return;
  if (typeof namespace !== "string") throw invalid(field, `${field} must be a string`);
  throw invalid(field, `namespace '${namespace}' does not exist; the only one is '${NAMESPACE}'`);
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalid(field, `${field} must be a string`);
  return value;
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const value = optionalString(body, field);
  if (value === undefined) throw invalid(field, `${field} is required`);
  return value;
}

function stringMap(
  body: Record<string, unknown>,
  field: string,
): Record<string, string> | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalid(field, `${field} must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string") throw invalid(`${field}.${key}`, `${field}.${key} must be a string`);
    out[key] = v;
  }
  return out;
}

function stringList(body: Record<string, unknown>, field: string): string[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalid(field, `${field} must be an array of strings`);
  return value.map((v, i) => {
    if (typeof v !== "string") throw invalid(`${field}[${i}]`, `${field}[${i}] must be a string`);
    return v;
  });
}

function resources(body: Record<string, unknown>, field: string): FunctionResources | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalid(field, `${field} must be an object`);
  const out: FunctionResources = {};
  const memory = optionalString(value, "memory");
  const cpu = optionalString(value, "cpu");
  if (memory !== undefined && memory !== "") out.memory = memory;
  if (cpu !== undefined && cpu !== "") out.cpu = cpu;
  return out;
}

/** A FunctionDeployment from an untrusted JSON body. */
export function parseDeployment(body: unknown): FunctionDeployment {
  if (!isObject(body)) throw invalid("body", "the body must be a JSON object (FunctionDeployment)");
  const out: FunctionDeployment = {
    service: checkName(requiredString(body, "service"), "service"),
    image: requiredString(body, "image"),
  };
  if (out.image === "") throw invalid("image", "image is empty");
  checkNamespace(body.namespace);
  const envProcess = optionalString(body, "envProcess");
  if (envProcess !== undefined && envProcess !== "") out.envProcess = envProcess;
  const envVars = stringMap(body, "envVars");
  if (envVars !== undefined) out.envVars = envVars;
  const constraints = stringList(body, "constraints");
  if (constraints !== undefined && constraints.length > 0) out.constraints = constraints;
  const secrets = stringList(body, "secrets");
  if (secrets !== undefined && secrets.length > 0) {
    out.secrets = secrets.map((s, i) => checkName(s, `secrets[${i}]`));
  }
  const labels = stringMap(body, "labels");
  if (labels !== undefined) out.labels = labels;
  const annotations = stringMap(body, "annotations");
  if (annotations !== undefined) out.annotations = annotations;
  const limits = resources(body, "limits");
  if (limits !== undefined) out.limits = limits;
  const requests = resources(body, "requests");
  if (requests !== undefined) out.requests = requests;
  const ro = body.readOnlyRootFilesystem;
  if (ro !== undefined && ro !== null) {
    if (typeof ro !== "boolean") {
      throw invalid("readOnlyRootFilesystem", "readOnlyRootFilesystem must be a boolean");
    }
    out.readOnlyRootFilesystem = ro;
  }
  return out;
}

/** A DeleteFunctionRequest from an untrusted JSON body. */
export function parseDelete(body: unknown): DeleteFunctionRequest {
  if (!isObject(body)) throw invalid("body", "the body must be a JSON object with functionName");
  checkNamespace(body.namespace);
  return { functionName: checkName(requiredString(body, "functionName"), "functionName") };
}

/** A ScaleServiceRequest from an untrusted JSON body; the path's name wins when both exist. */
export function parseScale(body: unknown, pathName: string): ScaleServiceRequest {
  if (!isObject(body)) throw invalid("body", "the body must be a JSON object with replicas");
  checkNamespace(body.namespace);
  const serviceName = optionalString(body, "serviceName");
  if (serviceName !== undefined && serviceName !== "" && serviceName !== pathName) {
    throw invalid(
      "serviceName",
      `serviceName '${serviceName}' does not match the function in the path, '${pathName}'`,
    );
  }
  const replicas = body.replicas;
  if (replicas === undefined) throw invalid("replicas", "replicas is required");
  if (typeof replicas !== "number" || !Number.isSafeInteger(replicas) || replicas < 0) {
    throw invalid("replicas", "replicas must be a whole number, 0 or more");
  }
  return { serviceName: pathName, replicas };
}

/** A Secret from an untrusted JSON body; `needValue` for create and update. */
export function parseSecret(body: unknown, needValue: boolean): { name: string; value: Buffer } {
  if (!isObject(body)) throw invalid("body", "the body must be a JSON object (Secret)");
  checkNamespace(body.namespace);
  const name = checkName(requiredString(body, "name"), "name");
  const value = optionalString(body, "value");
  const raw = optionalString(body, "rawValue");
  if (raw !== undefined) {
    // Go's encoding/json writes []byte as standard base64.
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(raw) || raw.length % 4 !== 0) {
      throw invalid("rawValue", "rawValue must be base64");
    }
    return { name, value: Buffer.from(raw, "base64") };
  }
  if (value !== undefined) return { name, value: Buffer.from(value, "utf8") };
  if (needValue) throw invalid("value", "value or rawValue is required");
  return { name, value: Buffer.alloc(0) };
}

/** `Secret` without its value, for listings. */
export function secretListing(name: string): Secret {
  return { name, namespace: NAMESPACE };
}
