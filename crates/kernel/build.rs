// The kernel binary links no libc and no start files: it is a static-pie that relocates
// itself (src/start/reloc.rs). Only the binary gets these flags; the library's unit tests
// link normally against std.
fn main() {
    for arg in [
        "-nostartfiles",
        "-nostdlib",
        "-static-pie",
        "-Wl,--no-dynamic-linker",
        "-Wl,-z,noexecstack",
        "-Wl,--build-id",
    ] {
        println!("cargo:rustc-link-arg-bins={arg}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
