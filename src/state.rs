//! What this shell has now. autovenv keeps no files for it: what it
//! activated travels in the shell's own environment.
//!
//! - `__AUTOVENV_STATE` (exported): the environment autovenv activated and
//!   the `PYTHONHOME` it put aside. Exported so that a child shell can
//!   recognise autovenv's activation and take it over (docs/decisions.md).
//! - `__autovenv_local` (a shell variable, never exported): this shell's own
//!   bookkeeping — whether it has taken over the activation, a project the
//!   user switched off with `deactivate`, the warnings already shown.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::bytes;
use crate::snapshot::Snapshot;

pub const STATE_VAR: &str = "__AUTOVENV_STATE";
/// The name under which the hook hands the shell-local value to the binary.
pub const LOCAL_VAR: &str = "__AUTOVENV_LOCAL";
/// Set (non-empty) by a hook that knows a venv's own activate script is in
/// charge, for callers that cannot pass `--foreign`.
const FOREIGN_VAR: &str = "__AUTOVENV_FOREIGN";
const VERSION: u64 = 1;
/// How many untrusted environments a shell remembers having warned about.
const WARNED_LIMIT: usize = 32;

/// Everything the exported state variable carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activation {
    /// The environment autovenv activated (`VIRTUAL_ENV`).
    pub venv: PathBuf,
    /// The project root that chose it.
    pub root: PathBuf,
    /// `PYTHONHOME` as it was before activation, to be restored.
    pub pythonhome: Option<OsString>,
    /// Someone else activated it (an editor's terminal, a parent shell, a
    /// sourced activate script) and autovenv took it over.
    pub taken_over: bool,
}

impl Activation {
    /// The `PATH` entry activation adds, and deactivation removes.
    pub fn path_entry(&self) -> PathBuf {
        self.venv.join("bin")
    }

    pub fn encode(&self) -> String {
        let mut obj = Map::new();
        obj.insert("v".into(), json!(VERSION));
        obj.insert("venv".into(), json!(bytes::escape_path(&self.venv)));
        obj.insert("root".into(), json!(bytes::escape_path(&self.root)));
        if let Some(home) = &self.pythonhome {
            obj.insert("pythonhome".into(), json!(bytes::escape(home.as_bytes())));
        }
        if self.taken_over {
            obj.insert("taken_over".into(), json!(true));
        }
        Value::Object(obj).to_string()
    }

    pub fn decode(text: &[u8]) -> Result<Activation, String> {
        let damaged = |why: &str| format!("{STATE_VAR} is damaged ({why}); autovenv ignores it");
        let value: Value = serde_json::from_slice(text).map_err(|_| damaged("not valid JSON"))?;
        let obj = value.as_object().ok_or_else(|| damaged("not an object"))?;
        match obj.get("v").and_then(Value::as_u64) {
            Some(VERSION) => {}
            Some(other) => {
                return Err(format!(
                    "{STATE_VAR} comes from another version of autovenv (format {other}); autovenv ignores it"
                ));
            }
            None => return Err(damaged("no version")),
        }
        let path_field = |key: &str| -> Result<PathBuf, String> {
            let text = obj
                .get(key)
                .and_then(Value::as_str)
                .ok_or_else(|| damaged(key))?;
            let path = bytes::unescape_path(text).ok_or_else(|| damaged(key))?;
            if !path.is_absolute() {
                return Err(damaged(key));
            }
            Ok(path)
        };
        let venv = path_field("venv")?;
        let root = path_field("root")?;
        let pythonhome = match obj.get("pythonhome") {
            None | Some(Value::Null) => None,
            Some(v) => {
                let text = v.as_str().ok_or_else(|| damaged("pythonhome"))?;
                Some(
                    bytes::os(&bytes::unescape(text).ok_or_else(|| damaged("pythonhome"))?)
                        .to_os_string(),
                )
            }
        };
        let taken_over = match obj.get("taken_over") {
            None | Some(Value::Null) => false,
            Some(v) => v.as_bool().ok_or_else(|| damaged("taken_over"))?,
        };
        Ok(Activation {
            venv,
            root,
            pythonhome,
            taken_over,
        })
    }
}

/// This shell's own bookkeeping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Local {
    /// The activation this shell has made its own (prompt prefix and
    /// `deactivate` in place).
    pub adopted: Option<PathBuf>,
    /// A project root the user switched off with `deactivate`.
    pub off: Option<PathBuf>,
    /// Untrusted environments this shell has already warned about.
    pub warned: Vec<PathBuf>,
    /// The last problem shown, so that it is not shown on every prompt.
    pub shown: Option<String>,
    /// Fingerprint of the change check the shell holds now.
    pub check: Option<String>,
    /// The stamp this shell's check compares folders with (src/region.rs).
    pub stamp: Option<PathBuf>,
    /// The id a nushell, xonsh or elvish hook of another build passed (or
    /// "none") when this shell was told to load this build's: told once.
    pub hook: Option<String>,
}

impl Local {
    pub fn encode(&self) -> String {
        let mut obj = Map::new();
        obj.insert("v".into(), json!(VERSION));
        let mut put = |key: &str, p: &Option<PathBuf>| {
            if let Some(p) = p {
                obj.insert(key.into(), json!(bytes::escape_path(p)));
            }
        };
        put("adopted", &self.adopted);
        put("off", &self.off);
        put("stamp", &self.stamp);
        if !self.warned.is_empty() {
            let list: Vec<Value> = self
                .warned
                .iter()
                .map(|p| json!(bytes::escape_path(p)))
                .collect();
            obj.insert("warned".into(), Value::Array(list));
        }
        if let Some(s) = &self.shown {
            obj.insert("shown".into(), json!(s));
        }
        if let Some(s) = &self.check {
            obj.insert("check".into(), json!(s));
        }
        if let Some(s) = &self.hook {
            obj.insert("hook".into(), json!(s));
        }
        Value::Object(obj).to_string()
    }

    /// Anything unreadable is forgotten: this is a cache of courtesies
    /// (which warning was shown), never a record of what to undo.
    pub fn decode(text: &[u8]) -> Local {
        // A new shell's (empty) value: no parsing, whose error path alone
        // costs tens of microseconds on every first prompt.
        if text.is_empty() {
            return Local::default();
        }
        let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(text) else {
            return Local::default();
        };
        if obj.get("v").and_then(Value::as_u64) != Some(VERSION) {
            return Local::default();
        }
        let path = |key: &str| {
            obj.get(key)
                .and_then(Value::as_str)
                .and_then(bytes::unescape_path)
        };
        let text = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_string);
        Local {
            adopted: path("adopted"),
            off: path("off"),
            warned: obj
                .get("warned")
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .filter_map(|v| v.as_str().and_then(bytes::unescape_path))
                        .collect()
                })
                .unwrap_or_default(),
            shown: text("shown"),
            check: text("check"),
            stamp: path("stamp"),
            hook: text("hook"),
        }
    }

    pub fn has_warned(&self, venv: &Path) -> bool {
        self.warned.iter().any(|w| w == venv)
    }

    pub fn remember_warning(&mut self, venv: &Path) {
        if !self.has_warned(venv) {
            if self.warned.len() >= WARNED_LIMIT {
                self.warned.remove(0);
            }
            self.warned.push(venv.to_path_buf());
        }
    }
}

/// What the shell has now, as its environment shows it.
#[derive(Debug, Clone, Default)]
pub struct Current {
    pub virtual_env: Option<PathBuf>,
    pub path: Option<OsString>,
    pub pythonhome: Option<OsString>,
    pub pkg_config_path: Option<OsString>,
    /// `__AUTOVENV_STATE`, decoded, if present.
    pub state: Option<Result<Activation, String>>,
    /// A venv `activate` script's own variables are in this shell: whatever
    /// `VIRTUAL_ENV` says, it was activated by hand.
    pub foreign_script: bool,
}

/// Who is responsible for the environment active in this shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Nobody,
    /// autovenv activated it, and it is still in place.
    Autovenv(Activation),
    /// autovenv activated it, then something else deactivated it (a
    /// hand-sourced venv's `deactivate` does): leftovers may remain.
    Displaced(Activation),
    /// Activated outside autovenv: left alone (docs/decisions.md).
    Outside(PathBuf),
}

impl Current {
    /// `foreign` is the hook's word that a venv's own activate script is in
    /// charge: bash and zsh keep its `_OLD_VIRTUAL_PATH` unexported, so the
    /// hook passes it on; fish's activate.fish exports it.
    pub fn from_snapshot(env: &Snapshot, foreign: bool) -> Current {
        Current {
            virtual_env: env.non_empty("VIRTUAL_ENV").map(PathBuf::from),
            path: env.get("PATH").map(OsStr::to_os_string),
            pythonhome: env.get("PYTHONHOME").map(OsStr::to_os_string),
            pkg_config_path: env.get("PKG_CONFIG_PATH").map(OsStr::to_os_string),
            state: env
                .non_empty(STATE_VAR)
                .map(|v| Activation::decode(v.as_bytes())),
            foreign_script: foreign
                || env.non_empty(FOREIGN_VAR).is_some()
                || env.get("_OLD_VIRTUAL_PATH").is_some(),
        }
    }

    pub fn owner(&self) -> Owner {
        owner(self)
    }
}

fn owner(current: &Current) -> Owner {
    let state = current.state.as_ref().and_then(|s| s.as_ref().ok());
    match (&current.virtual_env, state) {
        (Some(ve), Some(a)) if *ve == a.venv && !current.foreign_script => {
            Owner::Autovenv(a.clone())
        }
        (Some(ve), _) => Owner::Outside(ve.clone()),
        (None, Some(a)) => Owner::Displaced(a.clone()),
        (None, None) => Owner::Nobody,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activation_round_trips_hostile_bytes() {
        let a = Activation {
            venv: bytes::path(b"/tmp/a b/\xff'\"$(x)\n/venv"),
            root: bytes::path(b"/tmp/a b/\xff'\"$(x)\n"),
            pythonhome: Some(OsString::from("/opt/py %41")),
            taken_over: false,
        };
        let text = a.encode();
        assert!(!text.contains('\n'));
        assert_eq!(Activation::decode(text.as_bytes()).unwrap(), a);
    }

    #[test]
    fn damaged_activation_is_reported() {
        for bad in [
            &b"garbage"[..],
            b"{\"v\":1,\"venv\":\"/x\"",
            b"{\"v\":1,\"venv\":\"relative\",\"root\":\"/\"}",
            b"{\"v\":1,\"venv\":\"/x%4\",\"root\":\"/\"}",
            b"[]",
        ] {
            assert!(
                Activation::decode(bad).unwrap_err().contains("damaged"),
                "{bad:?}"
            );
        }
        let old = Activation::decode(b"{\"v\":0,\"venv\":\"/x\",\"root\":\"/\"}").unwrap_err();
        assert!(old.contains("another version"));
    }

    #[test]
    fn local_round_trips_and_forgets_garbage() {
        let mut l = Local {
            adopted: Some("/p/venv".into()),
            off: Some("/p".into()),
            shown: Some("msg".into()),
            check: Some("abc".into()),
            hook: Some("none".into()),
            ..Local::default()
        };
        l.remember_warning(Path::new("/q/venv"));
        l.remember_warning(Path::new("/q/venv"));
        assert_eq!(l.warned.len(), 1);
        assert_eq!(Local::decode(l.encode().as_bytes()), l);
        assert_eq!(Local::decode(b"\xff{"), Local::default());
    }

    #[test]
    fn warned_list_is_bounded() {
        let mut l = Local::default();
        for i in 0..100 {
            l.remember_warning(Path::new(&format!("/v{i}")));
        }
        assert_eq!(l.warned.len(), WARNED_LIMIT);
        assert!(l.has_warned(Path::new("/v99")));
        assert!(!l.has_warned(Path::new("/v0")));
    }
}

#[cfg(test)]
mod fuzz {
    //! The state decoders read what any process could have put in the
    //! environment: they must answer, never panic.
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn activation_decoder_never_panics(raw in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = Activation::decode(&raw);
        }

        #[test]
        fn activation_decoder_on_near_json(venv in "[ -~]{0,30}", root in "[ -~]{0,30}", v in 0u64..3) {
            let text = format!("{{\"v\":{v},\"venv\":{venv:?},\"root\":{root:?}}}");
            if let Ok(a) = Activation::decode(text.as_bytes()) {
                prop_assert!(a.venv.is_absolute() && a.root.is_absolute());
            }
        }

        #[test]
        fn local_decoder_never_panics(raw in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = Local::decode(&raw);
        }

        #[test]
        fn activation_round_trips(venv in prop::collection::vec(1u8..=255, 1..60), home in proptest::option::of(prop::collection::vec(any::<u8>(), 0..30))) {
            let mut path = b"/".to_vec();
            path.extend(venv);
            let a = Activation {
                venv: bytes::path(&path),
                root: bytes::path(b"/r"),
                pythonhome: home.map(|h| bytes::os(&h).to_os_string()),
                taken_over: false,
            };
            prop_assert_eq!(Activation::decode(a.encode().as_bytes()).unwrap(), a);
        }
    }
}
