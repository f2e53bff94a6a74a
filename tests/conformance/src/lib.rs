//! The code generated for every AsyncAPI document of the corpus that the
//! generator accepts, one module each (see `build.rs`), compiled together
//! under `#![deny(warnings)]`: that it compiles is the first half of the
//! conformance test; `tests/expectations.rs` is the other.

#![deny(warnings)]

// Only rustc checks the generated code: it carries its own `allow`s for
// clippy, which would spend over a minute of CI on it to say nothing.
#[cfg(not(clippy))]
include!(concat!(env!("OUT_DIR"), "/modules.rs"));
