import { defineConfig } from "tsup";

export default defineConfig({
  // cli.ts is a separate entry so that bin/junction.js loads only the CLI and what it uses.
  entry: ["src/index.ts", "src/cli.ts"],
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
});
