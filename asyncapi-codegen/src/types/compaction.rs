//! What the compaction passes (`newtypes`, `strings`) share: finding
//! typify's impls exactly as typify writes them, and putting one runtime
//! macro call where several impls stood.
//!
//! Impls are compared as tokens ([`same`]): the same tokens in the same
//! groups, whatever the spacing of punctuation (syn prints `||` as `| |`).
//! Cheaper than printing both as text for every impl typify writes.

use proc_macro2::{TokenStream, TokenTree};
use quote::{quote, ToTokens};
use std::collections::HashMap;

/// Every impl among some items, by the text of the type it is for.
pub(super) struct Impls(HashMap<String, Vec<(usize, TokenStream)>>);

impl Impls {
    /// The impls among `items`, with their positions.
    pub(super) fn of(items: &[syn::Item]) -> Self {
        let mut impls: HashMap<String, Vec<(usize, TokenStream)>> = HashMap::new();
        for (at, item) in items.iter().enumerate() {
            if let syn::Item::Impl(imp) = item {
                let ty = &imp.self_ty;
                impls
                    .entry(quote!(#ty).to_string())
                    .or_default()
                    .push((at, quote!(#item)));
            }
        }
        Impls(impls)
    }

    /// The impls for `ty`.
    pub(super) fn for_type(&self, ty: &impl ToTokens) -> &[(usize, TokenStream)] {
        self.0
            .get(&quote!(#ty).to_string())
            .map_or(&[], Vec::as_slice)
    }

    /// Where the impl for `ty` that is exactly `expected` stands.
    pub(super) fn find(&self, ty: &impl ToTokens, expected: &TokenStream) -> Option<usize> {
        self.for_type(ty)
            .iter()
            .find(|(_, t)| same(t.clone(), expected.clone()))
            .map(|(at, _)| *at)
    }
}

/// Impls to replace by macro calls, applied at once (positions stay valid
/// until then).
#[derive(Default)]
pub(super) struct Replacements {
    calls: Vec<(usize, TokenStream)>,
    remove: Vec<usize>,
}

impl Replacements {
    /// The items at `at` give way to `call`, which stands where the first
    /// of them stood.
    pub(super) fn replace(&mut self, mut at: Vec<usize>, call: TokenStream) {
        at.sort_unstable();
        let Some((&first, rest)) = at.split_first() else {
            return;
        };
        self.calls.push((first, call));
        self.remove.extend(rest);
    }

    /// Applies the replacements to `items`.
    pub(super) fn apply(mut self, items: &mut Vec<syn::Item>) {
        for (at, call) in self.calls {
            // A macro call parses as an item; were it not, tokens will do.
            items[at] = syn::parse2(call.clone()).unwrap_or(syn::Item::Verbatim(call));
        }
        self.remove.sort_unstable();
        self.remove.dedup();
        for at in self.remove.into_iter().rev() {
            items.remove(at);
        }
    }
}

/// Whether `a` and `b` hold the same tokens.
pub(super) fn same(a: TokenStream, b: TokenStream) -> bool {
    let mut a = a.into_iter();
    let mut b = b.into_iter();
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) => {
                let equal = match (x, y) {
                    (TokenTree::Group(x), TokenTree::Group(y)) => {
                        x.delimiter() == y.delimiter() && same(x.stream(), y.stream())
                    }
                    (TokenTree::Ident(x), TokenTree::Ident(y)) => x == y,
                    (TokenTree::Punct(x), TokenTree::Punct(y)) => x.as_char() == y.as_char(),
                    (TokenTree::Literal(x), TokenTree::Literal(y)) => {
                        x.to_string() == y.to_string()
                    }
                    _ => false,
                };
                if !equal {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spacing_does_not_matter_but_tokens_do() {
        let closure: syn::Expr = syn::parse_quote!(|| 1);
        assert!(same(quote!(#closure), quote!(|| 1)));
        assert!(!same(quote!(|| 1), quote!(|| 2)));
        assert!(!same(quote!(a(b)), quote!(a[b])));
        assert!(!same(quote!(a b), quote!(a)));
    }
}
