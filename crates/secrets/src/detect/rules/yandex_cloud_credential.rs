//! Yandex Cloud credential.
//!
//! ## What it finds
//!
//! Assigned to a name with `yandex` in it: a static access key secret (`YC` +
//! 38), an API key (`AQVN` + 35 to 38) or an IAM token (`t1.` + two
//! dot-separated parts). The random part must measure at least 3.0 bits of
//! entropy per character.
//!
//! gitleaks: `yandex-aws-access-token`, `yandex-api-key`,
//! `yandex-access-token`.
//!
//! ## Not a finding
//!
//! The same value under a name without `yandex` in it, or with the word inside
//! another word (`global` is not `lob`, `sumOfValues` is not `sumo`);
//! references and templates (`${{ secrets.X }}`, `$VAR`, `{{ .Values.x }}`);
//! placeholders (all-same or sequential characters, `EXAMPLE`, `xxxx`,
//! `your-key-here`); values of another length or alphabet.
//!
//! ## Fix
//!
//! Delete the key in the Yandex Cloud console (service account → keys), remove
//! it from the history, and read it from a secret at run time.

use crate::detect::kit::{BASE64URL, KeyedRule, KeyedSpec, Part};
use crate::detect::{Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

static SPEC: KeyedSpec = KeyedSpec {
    info: RuleInfo {
        id: "yandex-cloud-credential",
        title: "Yandex Cloud credential",
        gitleaks: &[
            "yandex-aws-access-token",
            "yandex-api-key",
            "yandex-access-token",
        ],
        keywords: &["yandex"],
        severity: Severity::Critical,
        min_entropy: 3.0,
        scope: Scope::Lines {
            before: 0,
            after: 1,
        },
    },
    names: &["yandex"],
    value: r"YC[A-Za-z0-9_\-]{38}|AQVN[A-Za-z0-9_\-]{35,38}|t1\.[A-Za-z0-9_\-]+={0,2}\.[A-Za-z0-9_\-]{86}={0,2}",
    public_prefix: 2,
    validate: None,
    fake: &[Part::Lit("AQVN"), Part::Rand(BASE64URL, 36)],
};

pub fn rule() -> Box<dyn Rule> {
    Box::new(KeyedRule::new(&SPEC))
}
