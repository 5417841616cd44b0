//! `ci-intel-policy`: see the library for everything it does.

// The release binary is static musl, whose allocator is slow under the many
// small allocations of a YAML tree per file (ci-intel-vuln measured the same,
// see its main.rs); the audit runs a thread per core, where musl's allocator
// also serialises.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let env = ci_intel_core::RunnerEnv::from_process();
    ci_intel_policy::run(std::env::args_os(), &env).into()
}
