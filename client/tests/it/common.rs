//! Running the real `yinzheng` binary in a temporary directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

pub fn v(name: &str) -> String {
    vectors().join(name).display().to_string()
}

/// Run `yinzheng` with an isolated trust directory.
pub fn run(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yinzheng"))
        .args(args)
        .env("YINZHENG_HOME", home)
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .expect("run yinzheng")
}

pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub const FOREVER: &str = "36500d";
