//! Whether two token streams are the same code: the same tokens in the same
//! groups, whatever the spacing of punctuation (syn prints `||` as `| |`).
//! Cheaper than printing both as text, which the compaction passes would
//! otherwise do for every impl typify writes.

use proc_macro2::{TokenStream, TokenTree};

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
    use quote::quote;

    #[test]
    fn spacing_does_not_matter_but_tokens_do() {
        let closure: syn::Expr = syn::parse_quote!(|| 1);
        assert!(same(quote!(#closure), quote!(|| 1)));
        assert!(!same(quote!(|| 1), quote!(|| 2)));
        assert!(!same(quote!(a(b)), quote!(a[b])));
        assert!(!same(quote!(a b), quote!(a)));
    }
}
