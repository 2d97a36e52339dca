//! Exit codes of the `yinzheng` command (stable; `docs/user-guide.md`).

use yinzheng_ledger::VerdictStatus;

/// The verdict and the process exit code it maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// 0: valid.
    Valid = 0,
    /// 1: invalid — forged, damaged, or not of this consortium.
    Invalid = 1,
    /// 2: genuine, but revoked, superseded, expired or not yet valid.
    NotInForce = 2,
    /// 3: valid, but the status is older than the allowed age.
    Stale = 3,
    /// 64: usage error (bad arguments).
    Usage = 64,
    /// 66: an input could not be read, or holds no bundle / QR code / genesis.
    NoInput = 66,
    /// 69: a node was needed and could not be reached.
    Unavailable = 69,
}

impl Exit {
    /// The exit code for a verdict, given whether its status is stale.
    pub fn for_verdict(status: VerdictStatus, stale: bool) -> Exit {
        match status {
            VerdictStatus::Valid if stale => Exit::Stale,
            VerdictStatus::Valid => Exit::Valid,
            VerdictStatus::Invalid => Exit::Invalid,
            _ => Exit::NotInForce,
        }
    }

    /// The numeric code.
    pub fn code(self) -> i32 {
        i32::from(self as u8)
    }

    /// As a process exit code.
    pub fn exit_code(self) -> std::process::ExitCode {
        std::process::ExitCode::from(self as u8)
    }
}
