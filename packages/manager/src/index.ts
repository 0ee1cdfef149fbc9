// @junction/manager: an OpenFaaS-compatible function manager. createManager() is the API;
// createServer() puts the OpenFaaS provider API in front of it; starters run the instances.
export { CREDENTIALS_FILE, type Credentials, checkBasicAuth } from "./credentials.js";
export { ManagerError, type ManagerErrorCode } from "./errors.js";
export { hostStarter } from "./host-starter.js";
export type { InvokeRequest, InvokeResponse } from "./invocation.js";
export {
  type KernelRunningProgram,
  type KernelRunOptions,
  type KernelStarterOptions,
  kernelStarter,
} from "./kernel-starter.js";
export type { LogQuery } from "./logs.js";
export {
  createManager,
  type Manager,
  type ManagerOptions,
  STARTER_ANNOTATION,
} from "./manager.js";
export { MANIFEST, type Manifest, type Protocol, type Runtime, TEMPLATES } from "./manifest.js";
export { createServer, type ServerOptions } from "./server.js";
export type { LifecycleDefaults } from "./settings.js";
export type {
  Bind,
  InstanceEnd,
  InstanceSpec,
  InstanceStarter,
  LogSink,
  StartedInstance,
} from "./starter.js";
export { defaultStateDir } from "./state-dir.js";
export type {
  DeleteFunctionRequest,
  FunctionDeployment,
  FunctionResources,
  FunctionStatus,
  FunctionUsage,
  LogMessage,
  ProviderInfo,
  ScaleServiceRequest,
  Secret,
} from "./types.js";
export { NAMESPACE } from "./types.js";
