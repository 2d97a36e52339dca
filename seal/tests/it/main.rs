//! Integration tests of the national seal formats.

mod samples;
