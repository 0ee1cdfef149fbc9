#!/usr/bin/env node
// The `junction` command. The code lives in src/cli.ts (built to dist/cli.js).
import { main } from "../dist/cli.js";

await main(process.argv);
