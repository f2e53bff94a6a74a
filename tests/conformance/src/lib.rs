//! The code generated for every AsyncAPI document of the corpus that the
//! generator accepts, one module each (see `build.rs`), compiled together
//! under `#![deny(warnings)]`: that it compiles is the first half of the
//! conformance test; `tests/expectations.rs` is the other.

#![deny(warnings)]

include!(concat!(env!("OUT_DIR"), "/modules.rs"));
