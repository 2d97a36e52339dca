//! The `yinzheng` command, run as a real process in a temporary directory.

mod cli;
