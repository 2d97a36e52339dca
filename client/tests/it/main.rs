//! The `yinzheng` command, run as a real process in a temporary directory.

mod batch;
mod common;
mod keys;
mod qr;
mod seals;
mod verdicts;
