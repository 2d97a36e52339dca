//! The `yinzheng` command, run as a real process in a temporary directory.

mod batch;
mod common;
mod ecerts;
mod holders;
mod keys;
mod qr;
mod seals;
mod verdicts;
