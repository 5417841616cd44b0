//! A loopback HTTP server for fake release assets. Every request is
//! recorded with its headers, so tests can count downloads and check which
//! ones carried an `Authorization` header.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use anyhow::{Result, anyhow};

/// What the server answers on a path.
#[derive(Debug, Clone)]
pub enum Route {
    /// 200 with these bytes (shared: release assets are large).
    Bytes(Arc<Vec<u8>>),
    /// An empty response with this status.
    Status(u16),
}

/// One request the server saw.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The request target (path and query).
    pub path: String,
    pub headers: Vec<(String, String)>,
}

impl Recorded {
    /// A header value by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

struct Shared(Arc<Vec<u8>>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

#[derive(Debug, Default)]
struct State {
    routes: BTreeMap<String, Route>,
    requests: Vec<Recorded>,
}

/// The server; it stops when dropped.
pub struct FakeServer {
    addr: SocketAddr,
    server: Arc<tiny_http::Server>,
    state: Arc<Mutex<State>>,
    thread: Option<JoinHandle<()>>,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // A panic while holding the lock only poisons bookkeeping; keep going.
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl std::fmt::Debug for FakeServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl FakeServer {
    /// Listen on 127.0.0.1 at a free port.
    pub fn start() -> Result<FakeServer> {
        let server = tiny_http::Server::http("127.0.0.1:0")
            .map_err(|e| anyhow!("cannot start the fake release server: {e}"))?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| anyhow!("the fake release server has no IP address"))?;
        let server = Arc::new(server);
        let state = Arc::new(Mutex::new(State::default()));
        let thread = {
            let server = Arc::clone(&server);
            let state = Arc::clone(&state);
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    let recorded = Recorded {
                        method: request.method().to_string(),
                        path: request.url().to_owned(),
                        headers: request
                            .headers()
                            .iter()
                            .map(|h| (h.field.to_string(), h.value.as_str().to_owned()))
                            .collect(),
                    };
                    let route = {
                        let mut state = lock(&state);
                        let route = state.routes.get(&recorded.path).cloned();
                        state.requests.push(recorded);
                        route
                    };
                    let _ = match route {
                        Some(Route::Bytes(bytes)) => {
                            let length = bytes.len();
                            // With Content-Length, as release CDNs answer
                            // (tiny_http would otherwise go chunked).
                            request.respond(
                                tiny_http::Response::new(
                                    tiny_http::StatusCode(200),
                                    Vec::new(),
                                    std::io::Cursor::new(Shared(bytes)),
                                    Some(length),
                                    None,
                                )
                                .with_chunked_threshold(usize::MAX),
                            )
                        }
                        Some(Route::Status(code)) => {
                            request.respond(tiny_http::Response::empty(code))
                        }
                        None => request.respond(tiny_http::Response::empty(404)),
                    };
                }
            })
        };
        Ok(FakeServer {
            addr,
            server,
            state,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Answer `path` (starting with `/`) with `bytes`.
    pub fn serve(&self, path: &str, bytes: impl Into<Arc<Vec<u8>>>) {
        lock(&self.state)
            .routes
            .insert(path.to_owned(), Route::Bytes(bytes.into()));
    }

    /// Answer `path` with an empty response of status `code`.
    pub fn serve_status(&self, path: &str, code: u16) {
        lock(&self.state)
            .routes
            .insert(path.to_owned(), Route::Status(code));
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.state).requests.clone()
    }

    /// The requests for `path`.
    pub fn requests_for(&self, path: &str) -> Vec<Recorded> {
        lock(&self.state)
            .requests
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
