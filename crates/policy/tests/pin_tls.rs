//! `pin` over real TLS: rustls with the ring provider, against `openssl
//! s_server` on loopback serving a protocol v0 advertisement made by `git
//! upload-pack` (reqwest, the platform verifier) and a REST answer
//! (octocrab, hyper-rustls with the system's roots). Needs the `openssl`
//! command.

#![allow(clippy::unwrap_used)] // test helpers fail loudly by design

#[path = "support/pin_server.rs"]
mod support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::{Fixture, tool};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let status = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("the `openssl` command is needed for this test (apt-get install openssl)");
    assert!(status.success(), "openssl {args:?} failed");
}

/// The `openssl` command is a test peer only (ci-intel links rustls). Without
/// it the test is skipped with the reason, unless CI requires every tool.
fn openssl_available() -> bool {
    let found = Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        let why = "the `openssl` command is not installed (apt-get install openssl; .ci/run does)";
        if std::env::var_os("CI_INTEL_REQUIRE_TOOLS").is_some() {
            panic!("CI_INTEL_REQUIRE_TOOLS is set but {why}");
        }
        eprintln!("SKIPPED: {why}");
    }
    found
}

#[test]
fn resolves_over_https_and_refuses_an_unknown_issuer() {
    if !openssl_available() {
        return;
    }
    let fixture = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A CA and a leaf certificate for 127.0.0.1.
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=pin-test-ca",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    std::fs::write(
        d.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "leaf.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    );

    // `s_server -WWW` serves files by path, query included.
    let www = d.join("www");
    let info = www.join("acme/tool.git/info");
    std::fs::create_dir_all(&info).unwrap();
    let advertisement = Command::new("git")
        .args(["upload-pack", "--advertise-refs", "--stateless-rpc", "."])
        .current_dir(fixture.bare())
        .env_remove("GIT_PROTOCOL")
        .output()
        .unwrap();
    assert!(advertisement.status.success());
    let mut body = b"001e# service=git-upload-pack\n0000".to_vec();
    body.extend_from_slice(&advertisement.stdout);
    std::fs::write(info.join("refs?service=git-upload-pack"), body).unwrap();
    // The REST answer octocrab fetches for --min-age, under the GHES base.
    let release = "api/v3/repos/acme/tool/releases/tags/v1.2.0";
    let release_json = r#"{"tag_name":"v1.2.0","published_at":"2020-06-02T00:00:00Z"}"#;
    std::fs::create_dir_all(www.join(release).parent().unwrap()).unwrap();
    std::fs::write(www.join(release), release_json).unwrap();

    let (port, _server) = s_server(&www, "../leaf.pem", "../leaf.key");

    let file = d.join("action.yml");
    std::fs::write(&file, "steps:\n  - uses: acme/tool@v1.2.0\n").unwrap();
    let host = format!("https://127.0.0.1:{port}");

    // Not trusted: a TLS error naming the URL, exit 3.
    let output = tool()
        .args(["pin", "--retries", "0", "--host", &host])
        .arg(&file)
        .env_remove("SSL_CERT_FILE") // the system's roots do not know the test CA
        .env_remove("SSL_CERT_DIR")
        .assert()
        .code(3)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot reach {host}/acme/tool.git/info/refs")),
        "{stderr}"
    );
    assert!(stderr.contains("certificate"), "{stderr}");

    // Trusted through the platform verifier's SSL_CERT_FILE: pinned.
    tool()
        .args(["pin", "--retries", "0", "--host", &host])
        .arg(&file)
        .env("SSL_CERT_FILE", d.join("ca.pem"))
        .assert()
        .code(0);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        format!(
            "steps:\n  - uses: acme/tool@{} # v1.2.0\n",
            fixture.commits["c2"]
        )
    );

    // REST over TLS (octocrab, hyper-rustls with the system's roots, which
    // honour SSL_CERT_FILE): --min-age reads v1.2.0's release date.
    std::fs::write(&file, "steps:\n  - uses: acme/tool@v1.0.0\n").unwrap();
    let update = ["--update", "--min-age", "30"];
    tool()
        .args(["pin", "--retries", "0", "--host", &host])
        .args(update)
        .arg(&file)
        .env("SSL_CERT_FILE", d.join("ca.pem"))
        .assert()
        .code(0);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        format!(
            "steps:\n  - uses: acme/tool@{} # v1.2.0\n",
            fixture.commits["c2"]
        )
    );

    // A REST server whose certificate the trusted CA did not issue: refused,
    // exit 3 naming the URL.
    let rogue = d.join("rogue");
    std::fs::create_dir_all(rogue.join("repos/acme/tool/releases/tags")).unwrap();
    std::fs::write(
        rogue.join("repos/acme/tool/releases/tags/v1.2.0"),
        release_json,
    )
    .unwrap();
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "rogue.key",
            "-out",
            "rogue.pem",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
    );
    let (rogue_port, _rogue_server) = s_server(&rogue, "../rogue.pem", "../rogue.key");
    let api = format!("https://127.0.0.1:{rogue_port}");
    std::fs::write(&file, "steps:\n  - uses: acme/tool@v1.0.0\n").unwrap();
    let output = tool()
        .args(["pin", "--retries", "0", "--host", &host, "--api-url", &api])
        .args(update)
        .arg(&file)
        .env("SSL_CERT_FILE", d.join("ca.pem"))
        .assert()
        .code(3)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "cannot reach {api}/repos/acme/tool/releases/tags/v1.2.0"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("certificate"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "steps:\n  - uses: acme/tool@v1.0.0\n"
    );
}

/// `openssl s_server -WWW` serving `dir` on a free loopback port, once it
/// accepts connections.
fn s_server(dir: &Path, cert: &str, key: &str) -> (u16, Killed) {
    let port = support::dead_port();
    let server = Killed(
        Command::new("openssl")
            .args(["s_server", "-quiet", "-WWW", "-accept"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-cert", cert, "-key", key])
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "openssl s_server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (port, server)
}
