// A daemon-like child for the crash tests: deploys over a state directory and is SIGKILLed by
// the test. argv: STATE_DIR MODE IMAGE [IMAGE2]
//   pause:  deploy IMAGE, stop for good between the durable files and the commit
//   churn:  deploy IMAGE, then update between IMAGE and IMAGE2 until killed
import { createManager, hostStarter } from "../../dist/index.js";

const [stateDir, mode, image, image2] = process.argv.slice(2);
const manager = await createManager({
  stateDir,
  starters: { host: hostStarter() },
  defaultStarter: "host",
  warn: (m) => process.stderr.write(`${m}\n`),
  beforeCommit:
    mode === "pause"
      ? async () => {
          process.stdout.write("before-commit\n");
          await new Promise(() => {});
        }
      : undefined,
});
await manager.deploy({ service: "victim", image });
process.stdout.write("deployed\n");
for (let i = 0; mode === "churn"; i++) {
  await manager.update({
    service: "victim",
    image: i % 2 === 0 ? image2 : image,
    labels: { round: String(i) },
  });
}
