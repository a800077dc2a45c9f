//! Runs pyHanko's command line (PyPI `pyhanko` + `pyhanko-cli`, pinned and installed by
//! scripts/setup.sh into $AKASHI_PY_TOOLS) in a directory: `Some((success, stdout + stderr))`,
//! or `None` when AKASHI_PY_TOOLS=skip leaves the independent check out knowingly.

use std::path::Path;
use std::process::Command;

pub fn pyhanko(dir: &Path, args: &[&str]) -> Option<(bool, String)> {
    let tools = match std::env::var("AKASHI_PY_TOOLS") {
        Ok(t) if t == "skip" => return None,
        Ok(t) => t,
        Err(_) => panic!(
            "AKASHI_PY_TOOLS is not set: run scripts/test.sh (scripts/setup.sh installs \
             pyHanko), or set AKASHI_PY_TOOLS=skip to leave it out knowingly"
        ),
    };
    let out = Command::new("python3")
        .args(["-m", "pyhanko"])
        .args(args)
        .env("PYTHONPATH", tools)
        .current_dir(dir)
        .output()
        .expect("python3");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some((out.status.success(), text))
}
