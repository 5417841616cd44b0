//! ci-intel-egress: default-deny network egress for a job.
//!
//! - `apply` installs nftables rules (host and forwarded container
//!   traffic, IPv4 and IPv6) that drop every outbound connection the
//!   allowlist does not permit, and starts a DNS resolver that answers
//!   only allowlisted names and opens their addresses for their TTL;
//! - `smoke` proves it from inside the job; `report` shows what was
//!   allowed and blocked (and `--suggest` drafts an allowlist from an
//!   audit run); `disable` removes it, recorded as a decision.
//!
//! Offline parts (always built, used by the umbrella's `ci-intel check`):
//! [`config`], [`gate`] and [`rules`], the [`allowlist`] and its
//! [`builtin`] groups, [`targets`], [`resolv_conf`] and [`events`]. The
//! parts that touch the network or the firewall are behind the `net`
//! feature: [`dns`] (message handling), [`nft`] (the ruleset), the
//! resolver daemon, the packet log and the command line.

pub mod allowlist;
pub mod builtin;
pub mod config;
pub mod effective;
pub mod events;
pub mod gate;
pub mod resolv_conf;
pub mod rules;
pub mod targets;

pub use gate::EgressGate;

/// The program name.
pub const TOOL: &str = "ci-intel-egress";

#[cfg(feature = "net")]
pub mod cli;
#[cfg(feature = "net")]
pub mod daemon;
#[cfg(feature = "net")]
pub mod dns;
#[cfg(feature = "net")]
pub mod nflog;
#[cfg(feature = "net")]
pub mod nft;
pub mod packet;

#[cfg(feature = "net")]
pub use cli::run;
