//! The patterns that selection code tests, each a generated
//! `__pattern_N(&str) -> bool`: plain Rust where the pattern is simple
//! ([`crate::pattern::matcher`]), else a `regress` regular expression.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The patterns the functions test, each a `__pattern_N(&str) -> bool`.
#[derive(Default)]
pub(super) struct Patterns(Vec<String>);

impl Patterns {
    /// The function that tests `source`.
    pub(super) fn call(&mut self, source: &str) -> TokenStream {
        let i = match self.0.iter().position(|p| p == source) {
            Some(i) => i,
            None => {
                self.0.push(source.to_owned());
                self.0.len() - 1
            }
        };
        let ident = format_ident!("__pattern_{}", i);
        quote!(Self::#ident)
    }

    /// The `__pattern_N` functions.
    pub(super) fn items(&self) -> Vec<TokenStream> {
        self.0
            .iter()
            .enumerate()
            .map(|(i, source)| {
                let ident = format_ident!("__pattern_{}", i);
                let doc = format!(" Whether `value` matches `{source}`.");
                // Simple patterns are plain Rust; the others go to regress.
                let body = crate::pattern::matcher(source).unwrap_or_else(|| {
                    quote! {
                        static REGEX: ::std::sync::OnceLock<::std::option::Option<rt::regress::Regex>> =
                            ::std::sync::OnceLock::new();
                        REGEX
                            .get_or_init(|| rt::regress::Regex::new(#source).ok())
                            .as_ref()
                            .is_some_and(|regex| regex.find(value).is_some())
                    }
                });
                quote! {
                    #[doc = #doc]
                    fn #ident(value: &str) -> bool {
                        #body
                    }
                }
            })
            .collect()
    }
}
