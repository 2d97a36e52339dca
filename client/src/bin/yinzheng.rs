//! `yinzheng`: verify Yinzheng proof bundles offline, make and read QR codes,
//! check a counter's uploads in bulk. Every command is a function of the
//! `yinzheng_client` library; this binary parses, runs, and exits.

use std::process::ExitCode;

use clap::Parser;
use yinzheng_client::Exit;
use yinzheng_client::cli::{Cli, run};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => Exit::Usage.exit_code(),
            };
        }
    };
    match run(cli) {
        Ok(code) => code.exit_code(),
        Err(e) => {
            eprintln!("yinzheng: {e}");
            e.exit().exit_code()
        }
    }
}
