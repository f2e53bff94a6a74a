//! Correlation ids as generated code: the path the model found
//! (`correlationId.location`, e.g. `$message.payload#/reqid`) as
//! `rt::message_impls!` takes it.

use crate::ir::{Correlation, Step};
use proc_macro2::TokenStream;
use quote::quote;

/// Generated code for a [`Correlation`] (found by the model).
pub trait CorrelationTokens {
    /// The path as the runtime's `Seg`s without their type, as
    /// `message_impls!` takes it: `Key("a"), Index(0)`.
    fn segments(&self) -> TokenStream;
}

impl CorrelationTokens for Correlation {
    fn segments(&self) -> TokenStream {
        let steps = self.path.iter().map(|step| match step {
            Step::Key(key) => quote!(Key(#key)),
            Step::Index(i) => quote!(Index(#i)),
        });
        quote!(#(#steps),*)
    }
}
