//! The process environment, read once at the start of a command. Everything
//! else takes its values from here: the decision is a function of this
//! snapshot and the file system, and tests build one from pairs.
//!
//! Values are kept as `OsString`: they may not be UTF-8.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Every variable, sorted by name (looked up by binary search).
    vars: Vec<(OsString, OsString)>,
    /// The platform's data folder (`dirs::data_dir()`), which `dirs` works
    /// out from the environment too: read here, with the rest.
    pub platform_data: Option<PathBuf>,
}

impl Snapshot {
    /// The environment of this process. The one place that reads it.
    #[allow(clippy::disallowed_methods)] // this module is the exception the ban is for
    pub fn capture() -> Snapshot {
        Snapshot::from_pairs(std::env::vars_os(), dirs::data_dir())
    }

    pub fn from_pairs<K, V>(
        pairs: impl IntoIterator<Item = (K, V)>,
        platform_data: Option<PathBuf>,
    ) -> Snapshot
    where
        K: Into<OsString>,
        V: Into<OsString>,
    {
        let mut vars: Vec<(OsString, OsString)> = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        // The environment holds one value per name; should a test repeat a
        // name, the last wins, as `env` would have it.
        vars.reverse();
        vars.sort_by(|a, b| a.0.cmp(&b.0));
        vars.dedup_by(|later, earlier| later.0 == earlier.0);
        Snapshot {
            vars,
            platform_data,
        }
    }

    /// The variable's value, set but maybe empty.
    pub fn get(&self, name: &str) -> Option<&OsStr> {
        let at = self
            .vars
            .binary_search_by(|(k, _)| k.as_os_str().cmp(OsStr::new(name)))
            .ok()?;
        Some(&self.vars[at].1)
    }

    /// The variable's value, with empty counted as unset (as shells and the
    /// activate scripts mostly treat it).
    pub fn non_empty(&self, name: &str) -> Option<&OsStr> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// Every variable, sorted by name: the environment a program started
    /// from here would inherit.
    pub fn vars(&self) -> impl Iterator<Item = (&OsStr, &OsStr)> {
        self.vars
            .iter()
            .map(|(k, v)| (k.as_os_str(), v.as_os_str()))
    }

    /// The value, or empty when unset (what `${NAME-}` gives a shell).
    pub fn or_empty(&self, name: &str) -> OsString {
        self.get(name).map(OsStr::to_os_string).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_up_set_empty_and_unset() {
        let s = Snapshot::from_pairs([("B", ""), ("A", "1"), ("C", "3")], None);
        assert_eq!(s.get("A"), Some(OsStr::new("1")));
        assert_eq!(s.get("B"), Some(OsStr::new("")));
        assert_eq!(s.non_empty("B"), None);
        assert_eq!(s.get("D"), None);
        assert_eq!(s.or_empty("D"), "");
    }

    #[test]
    fn the_last_of_a_repeated_name_wins() {
        let s = Snapshot::from_pairs([("A", "1"), ("A", "2")], None);
        assert_eq!(s.get("A"), Some(OsStr::new("2")));
    }
}
