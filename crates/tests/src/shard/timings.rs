//! PyTorch's per-test-file times (`test-times.json` from pytorch/test-infra's
//! `generated-stats` branch): `{build_env: {test_config: {test_file:
//! seconds}}}`, the data PyTorch itself shards test files by.
//!
//! Each build environment's times for one test config become one
//! [`RunTimes`] (the environments are the observations; the snapshot has
//! no time order), units are test files, and a file's suite is its top
//! folder (`distributed`, `inductor`; `.` for files at the top).

use std::collections::BTreeMap;

use serde_json::Value;

use super::RunTimes;
use crate::mutation::{ReadError, describe, pointer_key};

/// Read `test-times.json` for `config` (`default`, `inductor`...): one
/// [`RunTimes`] per build environment that ran that config, sorted by name.
pub fn parse(bytes: &[u8], name: &str, config: &str) -> Result<Vec<RunTimes>, ReadError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ReadError::new(name, "", "PyTorch test-times.json", e.to_string()))?;
    let Some(envs) = value.as_object() else {
        return Err(ReadError::new(
            name,
            "",
            "an object of build environment to test configs",
            describe(&value),
        ));
    };
    let mut runs = Vec::new();
    let mut configs_seen: BTreeMap<String, ()> = BTreeMap::new();
    for (env, configs) in envs {
        let pointer = format!("/{}", pointer_key(env));
        let Some(configs) = configs.as_object() else {
            return Err(ReadError::new(
                name,
                pointer,
                "an object of test config to test files",
                describe(configs),
            ));
        };
        for key in configs.keys() {
            configs_seen.insert(key.clone(), ());
        }
        let Some(files) = configs.get(config) else {
            continue;
        };
        let pointer = format!("{pointer}/{}", pointer_key(config));
        let Some(files) = files.as_object() else {
            return Err(ReadError::new(
                name,
                pointer,
                "an object of test file to seconds",
                describe(files),
            ));
        };
        let mut run = RunTimes {
            name: env.clone(),
            ..RunTimes::default()
        };
        let mut ordered: Vec<(&String, &Value)> = files.iter().collect();
        ordered.sort_by(|a, b| a.0.cmp(b.0));
        for (file, seconds) in ordered {
            let Some(seconds) = seconds.as_f64().filter(|s| s.is_finite() && *s >= 0.0) else {
                return Err(ReadError::new(
                    name,
                    format!("{pointer}/{}", pointer_key(file)),
                    "a duration in seconds (a number, at least 0)",
                    describe(seconds),
                ));
            };
            let suite = match file.split_once('/') {
                Some((top, _)) => top.to_owned(),
                None => ".".to_owned(),
            };
            let ms = (seconds * 1000.0).round() as u64;
            run.units.insert(file.clone(), (suite, ms));
            run.order.push(file.clone());
        }
        runs.push(run);
    }
    if runs.is_empty() {
        let known: Vec<String> = configs_seen.into_keys().take(12).collect();
        return Err(ReadError::new(
            name,
            "",
            format!(
                "at least one build environment with test config `{config}` (known: {})",
                known.join(", ")
            ),
            "none",
        ));
    }
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_environment_is_one_observation() {
        let text = br#"{"linux-a": {"default": {"test_nn": 10.5, "distributed/test_c10d": 100}, "slow": {"x": 1}},
                        "linux-b": {"default": {"test_nn": 12}},
                        "mac": {"slow": {"x": 2}}}"#;
        let runs = parse(text, "t.json", "default").unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].units["test_nn"], (".".to_owned(), 10_500));
        assert_eq!(
            runs[0].units["distributed/test_c10d"],
            ("distributed".to_owned(), 100_000)
        );
        let err = parse(text, "t.json", "nope").unwrap_err();
        assert!(err.expected.contains("default, slow"), "{err}");
        let err = parse(br#"{"e": {"default": {"f": "long"}}}"#, "t.json", "default").unwrap_err();
        assert_eq!(err.field, "/e/default/f");
    }
}
