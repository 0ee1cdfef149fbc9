// `npm start`: the main job is the function manager (junction daemon). Until it lands this
// says so plainly instead of pretending, and points at what works today.
console.log(`Junction for TypeScript

The function manager ('junction daemon', the job 'npm start' will run) is not built yet:
it comes with the snapshot and function-manager issues.

What works today:
  npm test            every Rust and TypeScript test
  npm run bench       benchmarks (tools/bench/), medians and ratios vs the baseline
  npm run generate    regenerate the ABI tables from tools/abi/linux-x86_64.abi
  packages/syscalls   the syscall table and an strace-style call formatter
  packages/elf        ELF64 reading, writing and load plans
  npx junction run -- ls /     run a program under the kernel (--trace, --stats)
  npx junction info            what this machine allows
`);
