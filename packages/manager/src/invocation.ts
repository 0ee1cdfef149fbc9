// An invocation as the manager sees it, independent of the HTTP server in front of it.

export interface InvokeRequest {
  method: string;
  /** The path after `/function/{name}`: "" or starting with "/". */
  path: string;
  /** The raw query string, without "?". */
  query: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface InvokeResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1). */
export const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
]);

/**
 * The classic OpenFaaS watchdog's request variables for stdio functions: Http_Method,
 * Http_Path, Http_Query and one Http_<Header_Name> per header.
 */
export function watchdogEnv(request: InvokeRequest): Record<string, string> {
  const env: Record<string, string> = {
    Http_Method: request.method,
    Http_Path: request.path === "" ? "/" : request.path,
  };
  if (request.query !== "") env.Http_Query = request.query;
  for (const [name, value] of Object.entries(request.headers)) {
    if (HOP_BY_HOP.has(name) || name === "authorization") continue;
    const key = `Http_${name
      .split("-")
      .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
      .join("_")}`;
    if (/^[A-Za-z0-9_]+$/.test(key)) env[key] = value;
  }
  return env;
}
