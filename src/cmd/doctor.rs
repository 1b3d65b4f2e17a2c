//! `autovenv doctor`: checks the setup and says what to fix. The report is
//! the command's output (stdout); the exit code says whether anything needs
//! fixing (0: no, 1: yes). The checks are in [`crate::doctor`]; this renders
//! what they found.

use std::ffi::OsStr;

use anyhow::{Result, bail};

use crate::config::Config;
use crate::detect;
use crate::doctor::{self, Report, Setup};
use crate::snapshot::Snapshot;

pub fn run(env: &Snapshot) -> Result<()> {
    let config = Config::from_snapshot(env);
    let setup = Setup::from_lookup(|name| env.get(name).map(OsStr::to_os_string));
    let here = detect::current_dir(env.get("PWD").map(Into::into)).ok();
    let report = doctor::examine(&config, &setup, here.as_deref());
    std::io::Write::write_all(&mut std::io::stdout(), render(&report).as_bytes())?;
    match report.fixes.len() {
        0 => Ok(()),
        1 => bail!("1 thing to fix (listed above)"),
        n => bail!("{n} things to fix (listed above)"),
    }
}

/// The rows aligned after their keys, then the numbered fixes.
fn render(report: &Report) -> String {
    let mut out = String::new();
    let width = report.rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 1;
    for (k, v) in &report.rows {
        out.push_str(&format!("{:width$} {v}\n", format!("{k}:")));
    }
    if report.fixes.is_empty() {
        out.push_str("\nall is well\n");
    } else {
        out.push_str("\nto fix:\n");
        for (i, f) in report.fixes.iter().enumerate() {
            out.push_str(&format!("{}. {f}\n", i + 1));
        }
    }
    out
}
