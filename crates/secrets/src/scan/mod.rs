//! `scan`: committed secrets in a tree or in the added lines of a diff.

pub mod committed_env_file;
