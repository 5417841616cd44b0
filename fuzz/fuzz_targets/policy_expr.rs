//! `ci_intel_policy::audit::expr`: `${{ ... }}` expressions in a string and
//! the context paths they read. Invariants: every expression found is a
//! substring of the input that starts with `${{` and ends with `}}`, found
//! in order without overlap; its inner text is inside it; the paths of an
//! expression are the same whether it is read alone or from its `raw` form.
#![no_main]

use ci_intel_policy::audit::expr;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let found = expr::expressions(text);
    let mut from = 0usize;
    for e in &found {
        assert!(
            e.raw.starts_with("${{") && e.raw.ends_with("}}"),
            "{:?}",
            e.raw
        );
        assert!(e.raw.contains(e.inner), "{:?} not in {:?}", e.inner, e.raw);
        let at = text[from..]
            .find(e.raw)
            .map(|i| i + from)
            .unwrap_or_else(|| panic!("{:?} is not in the rest of the input", e.raw));
        from = at + e.raw.len();
        let again = expr::expressions(e.raw);
        assert_eq!(again.len(), 1, "{:?} re-read gives {again:?}", e.raw);
        assert_eq!(again[0].inner, e.inner);
        let _ = expr::context_paths(e.inner);
        let _ = expr::output_paths(e.inner);
        let _ = expr::is_boolean(e.inner);
    }
    let paths = expr::context_paths(text);
    for p in &paths {
        assert!(!p.is_empty(), "an empty context path from {text:?}");
    }
    let _ = expr::output_paths(text);
    let _ = expr::is_boolean(text);
});
