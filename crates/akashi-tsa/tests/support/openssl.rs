//! Runs the `openssl` command line (installed by scripts/setup.sh) in a directory: (success,
//! stdout + stderr). Shared by the tests that check our TSA, CAdES and CMS output with it.

use std::path::Path;
use std::process::Command;

pub fn openssl(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl (scripts/setup.sh installs it)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}
