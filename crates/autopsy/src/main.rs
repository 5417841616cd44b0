fn main() -> std::process::ExitCode {
    let env = ci_intel_core::RunnerEnv::from_process();
    ci_intel_autopsy::run(std::env::args_os(), &env).into()
}
