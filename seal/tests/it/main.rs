//! Integration tests of the national seal formats.

mod common;
mod made;
mod openssl;
mod samples;
