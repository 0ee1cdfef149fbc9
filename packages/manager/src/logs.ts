// Function logs: the last lines of every function in memory, and live followers for
// GET /system/logs?follow=true.
import { type LogMessage, NAMESPACE } from "./types.js";

export interface LogQuery {
  name: string;
  /** Only lines from this instance. */
  instance?: string;
  /** Only lines at or after this time. */
  since?: Date;
  /** Only the last N lines of the history (before following). */
  tail?: number;
}

type Follower = (message: LogMessage) => void;

export class LogBook {
  private readonly lines = new Map<string, LogMessage[]>();
  private readonly followers = new Map<string, Set<Follower>>();
  private readonly keep: number;

  constructor(keep: number) {
    this.keep = keep;
  }

  write(name: string, instance: string, text: string): void {
    const message: LogMessage = {
      name,
      namespace: NAMESPACE,
      instance,
      timestamp: new Date().toISOString(),
      text,
    };
    let list = this.lines.get(name);
    if (list === undefined) {
      list = [];
      this.lines.set(name, list);
    }
    list.push(message);
    if (list.length > this.keep) list.splice(0, list.length - this.keep);
    for (const follower of this.followers.get(name) ?? []) follower(message);
  }

  /** The stored lines that match `query`, oldest first. */
  history(query: LogQuery): LogMessage[] {
    const since = query.since?.toISOString();
    let out = (this.lines.get(query.name) ?? []).filter(
      (m) =>
        (query.instance === undefined || m.instance === query.instance) &&
        (since === undefined || m.timestamp >= since),
    );
    if (query.tail !== undefined && query.tail >= 0)
      out = out.slice(Math.max(0, out.length - query.tail));
    return out;
  }

  /** Calls `follower` with each new matching line until the returned function is called. */
  follow(query: LogQuery, follower: Follower): () => void {
    const wrapped: Follower = (m) => {
      if (query.instance === undefined || m.instance === query.instance) follower(m);
    };
    let set = this.followers.get(query.name);
    if (set === undefined) {
      set = new Set();
      this.followers.set(query.name, set);
    }
    set.add(wrapped);
    return () => {
      set.delete(wrapped);
    };
  }

  /** Drops a removed function's lines. */
  forget(name: string): void {
    this.lines.delete(name);
  }
}
