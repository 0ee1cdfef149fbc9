/** What went wrong, as a machine-readable code; each maps to one HTTP status. */
export type ManagerErrorCode =
  | "invalid" // a malformed request: bad name, missing or wrong-typed field (400)
  | "not_found" // no such function or secret (404)
  | "exists" // POST of a function or secret that exists (409)
  | "busy" // another deploy, update or removal of the same name is under way (409)
  | "unsupported" // valid, but not something this manager can do yet (501)
  | "overloaded" // the function's queue is full (429)
  | "timeout" // the function ran past its exec timeout (504)
  | "instance_failed" // the instance crashed or could not start (502)
  | "closed"; // the manager is shutting down (503)

const STATUS: Record<ManagerErrorCode, number> = {
  invalid: 400,
  not_found: 404,
  exists: 409,
  busy: 409,
  unsupported: 501,
  overloaded: 429,
  timeout: 504,
  instance_failed: 502,
  closed: 503,
};

/** Every error the manager reports on purpose; the HTTP layer turns it into a JSON body. */
export class ManagerError extends Error {
  override readonly name = "ManagerError";
  readonly code: ManagerErrorCode;
  /** The request field at fault, for `invalid`. */
  readonly field: string | undefined;

  constructor(code: ManagerErrorCode, message: string, field?: string) {
    super(message);
    this.code = code;
    this.field = field;
  }

  /** The HTTP status for this error. */
  get status(): number {
    return STATUS[this.code];
  }
}
