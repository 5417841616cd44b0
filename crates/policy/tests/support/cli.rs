//! The `ci-intel-policy audit` command as the CLI tests run it: in `dir`,
//! with no runner or org-policy variables inherited from the environment
//! the tests themselves run in.

use std::path::Path;

use assert_cmd::Command;

pub fn audit(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("ci-intel-policy").unwrap();
    cmd.current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("CI_INTEL_ORG_POLICY")
        .arg("audit");
    cmd
}
