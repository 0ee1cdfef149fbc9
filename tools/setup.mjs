// `npm install` runs this (root postinstall): build every Rust crate, napi addon and
// TypeScript package so that a fresh clone is ready for `npm test` and `npm start`.
import { spawnSync } from "node:child_process";

function need(cmd, hint) {
  const r = spawnSync(cmd, ["--version"], { stdio: "ignore" });
  if (r.error || r.status !== 0) {
    console.error(`junction setup: '${cmd}' was not found on PATH. ${hint}`);
    process.exit(1);
  }
}

need("cargo", "Install a stable Rust toolchain (rustup.rs) and run `npm install` again.");
need("cc", "Install a C compiler (Debian: apt-get install build-essential) and run `npm install` again.");

console.log("junction setup: building crates, napi addons and packages (nx run-many -t build)...");
const r = spawnSync("npx", ["nx", "run-many", "-t", "build", "--outputStyle=static"], {
  stdio: "inherit",
  env: { ...process.env, NX_DAEMON: "false" },
});
if (r.status !== 0) {
  console.error("junction setup: the build failed (see above). Fix it and run `npm run build`.");
  process.exit(r.status ?? 1);
}
console.log("junction setup: done. Next: `npm test`.");
