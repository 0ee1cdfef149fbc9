import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { alive, junction, startJunction } from "./support/cli.js";
import { makeFakeKernel } from "./support/fake-kernel.js";

const fake = makeFakeKernel();
afterAll(() => fake.dispose());

const version: string = JSON.parse(
  readFileSync(new URL("../package.json", import.meta.url), "utf8"),
).version;

/** The environment that selects the fake kernel and its behaviour. */
function fakeEnv(mode: Record<string, string> = {}): Record<string, string> {
  return { JUNCTION_KERNEL: fake.path, ...mode };
}

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

describe("junction usage", () => {
  it("prints the version", () => {
    const r = junction(["--version"]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it("lists the commands in --help", () => {
    const r = junction(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Usage: junction [options] [command]");
    expect(r.stdout).toMatch(/^\s+run \[options\] <program> \[args\.\.\.\]/m);
    expect(r.stdout).toMatch(/^\s+info \[options\]/m);
    expect(r.stdout).toContain("--version");
  });

  it("documents every kernel option in run --help", () => {
    const r = junction(["run", "--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Usage: junction run [options] [--] PROGRAM [ARGS...]");
    for (const flag of [
      "--root <dir>",
      "--rw <path>",
      "--env <K=V>",
      "--clear-env",
      "--cwd <dir>",
      "--trace",
      "--stats",
      "--stats-json <file>",
      "--host-tmp",
      "--bind <host:path>",
      "--memory <bytes>",
      "--cpus <n>",
      "--pids <n>",
      "--no-rewrite",
      "--help",
    ]) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain("repeatable");
    expect(r.stdout).not.toContain("default:");
  });

  it("documents info --json", () => {
    const r = junction(["info", "--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Usage: junction info [options]");
    expect(r.stdout).toContain("--json");
  });

  // Every usage error: exit 2, one line on stderr naming the problem and pointing at --help,
  // nothing on stdout, and the kernel never started (the fake kernel would print its args).
  const usageErrors: [string, string[], RegExp][] = [
    ["no command", [], /missing command/],
    ["an unknown command", ["launch"], /unknown command 'launch'/],
    ["no program", ["run"], /missing required argument 'program'/],
    ["no program after --", ["run", "--trace", "--"], /missing required argument 'program'/],
    ["an unknown run option", ["run", "--fast", "--", "/bin/true"], /unknown option '--fast'/],
    ["an unknown info option", ["info", "--yaml"], /unknown option '--yaml'/],
    ["--env without '='", ["run", "--env", "FOO", "--", "/bin/true"], /'FOO'.*no '='/],
    ["--env with an empty name", ["run", "--env", "=x", "--", "/bin/true"], /'=x'.*empty/],
    ["--rw without a value", ["run", "--rw"], /'--rw <path>' argument missing/],
    ["an empty --rw path", ["run", "--rw", "", "--", "/bin/true"], /rw path is empty/],
    [
      "a --bind without a path",
      ["run", "--bind", "/srv", "--", "/bin/true"],
      /bind's path is empty/,
    ],
    ["a bad --memory", ["run", "--memory", "lots", "--", "/bin/true"], /memory must be/],
    [
      "a --cpus that is not a number",
      ["run", "--cpus", "x", "--", "/bin/true"],
      /expected a number/,
    ],
    ["a --cpus below 0.01", ["run", "--cpus", "0", "--", "/bin/true"], /at least 0.01/],
  ];
  for (const [what, args, message] of usageErrors) {
    it(`exits 2 with one line for ${what}`, () => {
      const r = junction(args, fakeEnv());
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      const err = lines(r.stderr);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(message);
      expect(err[0]).toMatch(/see 'junction( run| info)? --help'/);
    });
  }

  it("exits 127 with one line saying to run npm install when the kernel is missing", () => {
    const r = junction(["run", "--", "/bin/true"], { JUNCTION_KERNEL: fake.missing });
    expect(r.status).toBe(127);
    const err = lines(r.stderr);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^junction: /);
    expect(err[0]).toContain(fake.missing);
    expect(err[0]).toContain("npm install");
    const info = junction(["info"], { JUNCTION_KERNEL: fake.missing });
    expect(info.status).toBe(127);
  });

  it("exits 126 when the kernel cannot be executed", () => {
    const r = junction(["run", "--", "/bin/true"], { JUNCTION_KERNEL: fake.notExecutable });
    expect(r.status).toBe(126);
    expect(lines(r.stderr)).toEqual([
      `junction: cannot start the kernel ${fake.notExecutable}: EACCES`,
    ]);
  });
});

describe("junction run with a fake kernel", () => {
  it("passes the options, then --, the program and its arguments", () => {
    const r = junction(
      [
        "run",
        "--root",
        "/srv/root",
        "--rw",
        "/tmp",
        "--rw",
        "/var",
        "--env",
        "A=1",
        "--env",
        "B=x=y",
        "--env",
        "A=2",
        "--clear-env",
        "--cwd",
        "/tmp",
        "--trace",
        "--stats",
        "--stats-json",
        "/tmp/s.json",
        "--memory",
        "64M",
        "--cpus",
        "1.5",
        "--no-rewrite",
        "--",
        "/bin/ls",
        "-l",
        "--",
        "a b",
      ],
      fakeEnv(),
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(lines(r.stdout)).toEqual([
      "--root",
      "/srv/root",
      "--rw",
      "/tmp",
      "--rw",
      "/var",
      "--env",
      "A=2",
      "--env",
      "B=x=y",
      "--clear-env",
      "--cwd",
      "/tmp",
      "--trace",
      "--stats",
      "--stats-json",
      "/tmp/s.json",
      "--memory",
      "64M",
      "--cpus",
      "1.5",
      "--no-rewrite",
      "--",
      "/bin/ls",
      "-l",
      "--",
      "a b",
    ]);
  });

  it("leaves options after the program to the program, with or without --", () => {
    const r = junction(["run", "/bin/ls", "--trace", "-l"], fakeEnv());
    expect(r.status).toBe(0);
    expect(lines(r.stdout)).toEqual(["--", "/bin/ls", "--trace", "-l"]);
  });

  it("passes info and info --json through", () => {
    expect(lines(junction(["info"], fakeEnv()).stdout)).toEqual(["--info"]);
    expect(lines(junction(["info", "--json"], fakeEnv()).stdout)).toEqual(["--info", "--json"]);
  });

  for (const status of [0, 1, 3, 126, 127, 255]) {
    it(`exits ${status} when the kernel exits ${status}`, () => {
      const r = junction(
        ["run", "--", "/bin/x"],
        fakeEnv({ FAKE_KERNEL_MODE: "exit", FAKE_KERNEL_STATUS: String(status) }),
      );
      expect(r.status).toBe(status);
      expect(r.signal).toBeNull();
      expect(r.stderr).toBe(`exiting with ${status}\n`);
    });
  }

  // SIGPIPE and SIGUSR1 are the cases Node would otherwise swallow (ignored / the inspector).
  for (const signal of ["TERM", "KILL", "INT", "HUP", "PIPE", "USR1"]) {
    it(`dies by SIG${signal} when the kernel dies by SIG${signal}`, () => {
      const r = junction(
        ["run", "--", "/bin/x"],
        fakeEnv({ FAKE_KERNEL_MODE: "signal", FAKE_KERNEL_SIGNAL: signal }),
      );
      expect(r.signal).toBe(`SIG${signal}`);
      expect(r.status).toBeNull();
      expect(r.stderr).toBe("");
    });
  }

  it("mirrors info's exit status too", () => {
    const r = junction(["info"], fakeEnv({ FAKE_KERNEL_MODE: "exit", FAKE_KERNEL_STATUS: "4" }));
    expect(r.status).toBe(4);
  });
});

describe("junction run signal handling", () => {
  async function ready(cli: ReturnType<typeof startJunction>): Promise<number> {
    const line = await cli.line("ready ");
    // The CLI installs its handlers right after spawning; give it a moment all the same.
    await new Promise((r) => setTimeout(r, 100));
    return Number(line.slice("ready ".length));
  }

  for (const signal of ["SIGTERM", "SIGHUP"] as const) {
    it(`forwards ${signal} to the kernel and then dies by it`, async () => {
      const cli = startJunction(["run", "--", "/bin/x"], fakeEnv({ FAKE_KERNEL_MODE: "wait" }));
      const kernelPid = await ready(cli);
      cli.child.kill(signal);
      const r = await cli.exited;
      expect(r.signal).toBe(signal);
      // Had the CLI died without forwarding, the kernel would still be running.
      expect(alive(kernelPid)).toBe(false);
    });
  }

  // Ctrl-C / Ctrl-\ at a terminal signal the whole foreground process group. The fake kernel
  // catches them and exits 42 / 43: the CLI must survive the signal and report that status.
  for (const [signal, status, said] of [
    ["SIGINT", 42, "got INT"],
    ["SIGQUIT", 43, "got QUIT"],
  ] as const) {
    it(`ignores ${signal} to its process group and mirrors the kernel's exit`, async () => {
      const cli = startJunction(["run", "--", "/bin/x"], fakeEnv({ FAKE_KERNEL_MODE: "wait" }), {
        detached: true,
      });
      await ready(cli);
      const pid = cli.child.pid ?? 0;
      process.kill(-pid, signal);
      const r = await cli.exited;
      expect(r.signal).toBeNull();
      expect(r.status).toBe(status);
      expect(r.stdout).toContain(said);
    });
  }

  it("ignores SIGINT sent to the CLI alone and keeps waiting", async () => {
    const cli = startJunction(["run", "--", "/bin/x"], fakeEnv({ FAKE_KERNEL_MODE: "wait" }));
    const kernelPid = await ready(cli);
    cli.child.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 300));
    expect(cli.child.exitCode).toBeNull();
    expect(cli.child.signalCode).toBeNull();
    process.kill(kernelPid, "SIGINT");
    const r = await cli.exited;
    expect(r.status).toBe(42);
  });
});
