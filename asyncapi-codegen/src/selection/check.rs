//! `__check`: every rule of one message, stated through the runtime's
//! `Checker`, for the slow path and its explanations.

use super::patterns::Patterns;
use super::{kind_ident, lit, path_tokens, SelectionInput};
use crate::dispatch::{Seg, Test};
use proc_macro2::TokenStream;
use quote::quote;

/// `__check`: per variant, one checker call per rule.
pub(super) fn check_fn(input: &SelectionInput<'_>, patterns: &mut Patterns) -> TokenStream {
    let rt = quote!(rt::dispatch);
    let rules = || input.variants.iter().flat_map(|(_, rules)| rules);
    let mut names = Vec::new();
    if rules().any(|r| matches!(r.test, Test::Kind(_))) {
        names.push(quote!(Kind));
    }
    if rules().any(|r| matches!(r.test, Test::OneOf(_) | Test::OneOfOrAbsent(_))) {
        names.push(quote!(Lit));
    }
    if rules().any(|r| r.path.iter().any(|s| matches!(s, Seg::Key(_)))) {
        names.push(quote!(Seg::Key));
    }
    if rules().any(|r| r.path.iter().any(|s| matches!(s, Seg::Index(_)))) {
        names.push(quote!(Seg::Index));
    }
    let uses = (!names.is_empty()).then(|| quote!(use #rt::{#(#names),*};));
    let arms = input
        .variants
        .iter()
        .enumerate()
        .map(|(index, (_, rules))| {
            let calls = rules.iter().map(|rule| {
                let path = path_tokens(&rule.path, true);
                match &rule.test {
                    Test::Kind(kind) => {
                        let kind = kind_ident(kind);
                        quote!(checker.kind(#path, Kind::#kind))
                    }
                    Test::Len(n) => quote!(checker.len(#path, #n, ::std::option::Option::Some(#n))),
                    Test::LenRange(min, max) => {
                        let max = match max {
                            Some(m) => quote!(::std::option::Option::Some(#m)),
                            None => quote!(::std::option::Option::None),
                        };
                        quote!(checker.len(#path, #min, #max))
                    }
                    Test::OneOf(values) | Test::OneOfOrAbsent(values) => {
                        let absent = matches!(rule.test, Test::OneOfOrAbsent(_));
                        let lits = values.iter().map(lit);
                        quote!(checker.one_of(#path, &[#(#lits),*], #absent))
                    }
                    Test::Pattern(p) | Test::PatternOrAbsent(p) => {
                        let absent = matches!(rule.test, Test::PatternOrAbsent(_));
                        let call = patterns.call(p);
                        quote!(checker.pattern(#path, #p, #call, #absent))
                    }
                    Test::Has(key) => quote!(checker.has(#path, #key)),
                    Test::Closed(keys) => quote!(checker.closed(#path, &[#(#keys),*])),
                }
            });
            quote! {
                #index => {
                    #(#calls?;)*
                    ::std::result::Result::Ok(())
                }
            }
        });
    quote! {
        /// Checks the rules of the variant at `index` (the slow path).
        fn __check(checker: &mut #rt::Checker<'_>, index: usize) -> ::std::result::Result<(), #rt::Miss> {
            #uses
            match index {
                #(#arms)*
                _ => ::std::result::Result::Ok(()),
            }
        }
    }
}
