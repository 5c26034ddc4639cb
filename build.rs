//! Link options for the PHP extension (the cdylib), which is loaded into every PHP request:
//! packed relative relocations (DT_RELR, glibc ≥ 2.36) and lazy symbol binding make the dynamic
//! loader's work at start-up smaller. Measured by `examples/extension_startup_bench.rs`.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,pack-relative-relocs");
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,lazy");
    }
}
