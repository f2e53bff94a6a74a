//! Correlation ids as generated code: the path and type the model found
//! (`correlationId.location`, e.g. `$message.payload#/reqid`) as the
//! runtime's `Correlation`.

use crate::ir::{Correlation, Step};
use proc_macro2::TokenStream;
use quote::quote;

/// Generated code for a [`Correlation`] (found by the model).
pub trait CorrelationTokens {
    /// The runtime's `&[Seg]` for the path.
    fn path_tokens(&self) -> TokenStream;
    /// The runtime's `Correlation` value.
    fn tokens(&self) -> TokenStream;
}

impl CorrelationTokens for Correlation {
    fn path_tokens(&self) -> TokenStream {
        let rt = quote!(::asyncapi_runtime::__private::dispatch);
        let steps = self.path.iter().map(|step| match step {
            Step::Key(key) => quote!(#rt::Seg::Key(#key)),
            Step::Index(i) => quote!(#rt::Seg::Index(#i)),
        });
        quote!(&[#(#steps),*])
    }

    fn tokens(&self) -> TokenStream {
        let rt = quote!(::asyncapi_runtime::__private::message);
        let path = self.path_tokens();
        let kind = if self.integer {
            quote!(#rt::IdKind::Integer)
        } else {
            quote!(#rt::IdKind::String)
        };
        quote!(#rt::Correlation { path: #path, kind: #kind })
    }
}
