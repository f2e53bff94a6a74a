//! Generate Rust from AsyncAPI documents, in `build.rs`.

#![warn(missing_docs)]

mod error;
pub mod spec;

pub use error::{pointer_tokens, Error, ErrorKind, Location, Result};
