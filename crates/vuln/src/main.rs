//! `ci-intel-vuln`: see the library for everything it does.

// The release binary is static musl, whose allocator is slow under many
// small allocations: on the benchmark input (docs/benchmarks.md) the musl
// build spent 0.95 s of CPU with it against 0.58 s for glibc's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let env = ci_intel_core::RunnerEnv::from_process();
    ci_intel_vuln::run(std::env::args_os(), &env).into()
}
