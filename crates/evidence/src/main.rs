//! `ci-intel-evidence`: see the library for everything it does.

fn main() -> std::process::ExitCode {
    let env = ci_intel_core::RunnerEnv::from_process();
    ci_intel_evidence::run(std::env::args_os(), &env).into()
}
