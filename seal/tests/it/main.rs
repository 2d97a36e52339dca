//! Integration tests of the national seal formats.

mod cases;
mod common;
mod made;
mod openssl;
mod samples;
mod vectors;
