//! The national status codes and their names (`docs/spec/ecert.md` §4).

use crate::proto::EcertStatus;

/// The two-digit code as the national tables write it (`01` … `07`, `99`).
pub fn status_code_text(s: EcertStatus) -> &'static str {
    match s {
        EcertStatus::Unspecified => "00",
        EcertStatus::Valid => "01",
        EcertStatus::Suspended => "02",
        EcertStatus::Revoked => "03",
        EcertStatus::Cancelled => "04",
        EcertStatus::Invalidated => "05",
        EcertStatus::TransferredOut => "06",
        EcertStatus::Withdrawn => "07",
        EcertStatus::Other => "99",
    }
}

/// The status's Chinese name: 有效, 暂扣, 撤销, 注销, 失效, 办理转出, 吊销, 其他.
pub fn status_name_zh(s: EcertStatus) -> &'static str {
    match s {
        EcertStatus::Unspecified => "未知",
        EcertStatus::Valid => "有效",
        EcertStatus::Suspended => "暂扣",
        EcertStatus::Revoked => "撤销",
        EcertStatus::Cancelled => "注销",
        EcertStatus::Invalidated => "失效",
        EcertStatus::TransferredOut => "办理转出",
        EcertStatus::Withdrawn => "吊销",
        EcertStatus::Other => "其他",
    }
}

const ALL: [EcertStatus; 8] = [
    EcertStatus::Valid,
    EcertStatus::Suspended,
    EcertStatus::Revoked,
    EcertStatus::Cancelled,
    EcertStatus::Invalidated,
    EcertStatus::TransferredOut,
    EcertStatus::Withdrawn,
    EcertStatus::Other,
];

/// The status a two-digit code names.
pub fn status_from_code_text(code: &str) -> Option<EcertStatus> {
    ALL.into_iter().find(|s| status_code_text(*s) == code)
}

/// The status's English name.
pub fn status_name_en(s: EcertStatus) -> &'static str {
    match s {
        EcertStatus::Unspecified => "unknown",
        EcertStatus::Valid => "valid",
        EcertStatus::Suspended => "suspended",
        EcertStatus::Revoked => "revoked",
        EcertStatus::Cancelled => "cancelled",
        EcertStatus::Invalidated => "invalidated",
        EcertStatus::TransferredOut => "transferred out",
        EcertStatus::Withdrawn => "withdrawn (licence revoked as a penalty)",
        EcertStatus::Other => "other",
    }
}
