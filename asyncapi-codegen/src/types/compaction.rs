//! What the compaction passes (`newtypes`, `strings`) share: finding
//! typify's impls exactly as typify writes them, and putting one runtime
//! macro call where several impls stood.
//!
//! Impls are compared as tokens ([`same`]): the same tokens in the same
//! groups, whatever the spacing of punctuation (syn prints `||` as `| |`).
//! Cheaper than printing both as text for every impl typify writes. They
//! are looked up by their header (`impl From<A> for String`), so that the
//! many impls for one type (`From<…> for String`, one per newtype of a
//! string) are not compared one by one: that made the passes quadratic in
//! the number of types.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::{quote, ToTokens};
use std::cell::OnceCell;
use std::collections::HashMap;

/// Every impl among some items: by the text of the type it is for, and by
/// its header (which names the type too). An impl's whole tokens are made
/// only when it is compared or read: most impls typify writes are looked
/// up by neither, and printing each whole took 6 % of `generate()` in a
/// build script on 100 synthetic messages.
pub(super) struct Impls<'a> {
    items: &'a [syn::Item],
    /// Each item's whole tokens, once made.
    tokens: Vec<OnceCell<TokenStream>>,
    by_type: HashMap<String, Vec<usize>>,
    by_header: HashMap<String, Vec<usize>>,
}

impl<'a> Impls<'a> {
    /// The impls among `items`, with their positions.
    pub(super) fn of(items: &'a [syn::Item]) -> Self {
        let mut by_type: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_header: HashMap<String, Vec<usize>> = HashMap::new();
        for (at, item) in items.iter().enumerate() {
            if let syn::Item::Impl(imp) = item {
                let ty = &imp.self_ty;
                by_header.entry(header(&head(imp))).or_default().push(at);
                by_type.entry(quote!(#ty).to_string()).or_default().push(at);
            }
        }
        Impls {
            items,
            tokens: vec![OnceCell::new(); items.len()],
            by_type,
            by_header,
        }
    }

    /// The impls for `ty`, with their positions.
    pub(super) fn for_type(&self, ty: &impl ToTokens) -> Vec<(usize, TokenStream)> {
        self.by_type
            .get(&quote!(#ty).to_string())
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&at| (at, self.tokens(at).clone()))
            .collect()
    }

    /// Where the impl that is exactly `expected` stands.
    pub(super) fn find(&self, expected: &TokenStream) -> Option<usize> {
        self.by_header
            .get(&header(expected))?
            .iter()
            .copied()
            .find(|&at| same(self.tokens(at).clone(), expected.clone()))
    }

    /// The whole tokens of the item at `at`.
    fn tokens(&self, at: usize) -> &TokenStream {
        self.tokens[at].get_or_init(|| {
            let item = &self.items[at];
            quote!(#item)
        })
    }
}

/// An impl's tokens up to its braced body, as syn writes them: outer
/// attributes, `impl`, generics, the trait, the type, the where clause.
fn head(imp: &syn::ItemImpl) -> TokenStream {
    let mut tokens = TokenStream::new();
    for attr in &imp.attrs {
        if matches!(attr.style, syn::AttrStyle::Outer) {
            attr.to_tokens(&mut tokens);
        }
    }
    imp.modifiers.defaultness.to_tokens(&mut tokens);
    imp.unsafety.to_tokens(&mut tokens);
    imp.impl_token.to_tokens(&mut tokens);
    imp.generics.to_tokens(&mut tokens);
    imp.modifiers.polarity.to_tokens(&mut tokens);
    if let Some((path, for_token)) = &imp.trait_ {
        path.to_tokens(&mut tokens);
        for_token.to_tokens(&mut tokens);
    }
    imp.self_ty.to_tokens(&mut tokens);
    imp.generics.where_clause.to_tokens(&mut tokens);
    tokens
}

/// The header of an impl's tokens (all before its braced body), as text
/// that does not depend on the spacing of punctuation.
fn header(tokens: &TokenStream) -> String {
    let mut text = String::new();
    for token in tokens.clone() {
        if matches!(&token, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace) {
            break;
        }
        normalized(token, &mut text);
    }
    text
}

/// `token` written into `out`, every token followed by one space.
fn normalized(token: TokenTree, out: &mut String) {
    match token {
        TokenTree::Group(group) => {
            let (open, close) = match group.delimiter() {
                Delimiter::Parenthesis => ("(", ")"),
                Delimiter::Bracket => ("[", "]"),
                Delimiter::Brace => ("{", "}"),
                Delimiter::None => ("", ""),
            };
            out.push_str(open);
            out.push(' ');
            for inner in group.stream() {
                normalized(inner, out);
            }
            out.push_str(close);
        }
        TokenTree::Punct(punct) => out.push(punct.as_char()),
        TokenTree::Ident(ident) => out.push_str(&ident.to_string()),
        TokenTree::Literal(literal) => out.push_str(&literal.to_string()),
    }
    out.push(' ');
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
    pub(super) fn apply(self, items: &mut Vec<syn::Item>) {
        for (at, call) in self.calls {
            // A macro call parses as an item; were it not, tokens will do.
            items[at] = syn::parse2(call.clone()).unwrap_or(syn::Item::Verbatim(call));
        }
        // One pass, not a `Vec::remove` (a shift of the rest) per item.
        let mut removed = vec![false; items.len()];
        for at in self.remove {
            removed[at] = true;
        }
        let mut at = 0;
        items.retain(|_| {
            at += 1;
            !removed[at - 1]
        });
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

    #[test]
    fn headers_ignore_spacing_and_bodies() {
        let item: syn::Item = syn::parse_quote! {
            impl ::std::convert::From<(u8, u8)> for Level { fn from(v: (u8, u8)) -> Self { Self(v) } }
        };
        let expected = quote! {
            impl ::std::convert::From<(u8, u8)> for Level { fn other() {} }
        };
        assert_eq!(header(&quote!(#item)), header(&expected));
        let syn::Item::Impl(imp) = &item else {
            unreachable!("an impl")
        };
        assert_eq!(header(&head(imp)), header(&quote!(#item)));
        let generic: syn::ItemImpl = syn::parse_quote! {
            #[doc = "x"]
            impl<'de, T: Clone> rt::serde::Deserialize<'de> for Wrap<T> where T: Default { fn f() {} }
        };
        assert_eq!(header(&head(&generic)), header(&quote!(#generic)));
        assert_ne!(
            header(&quote!(impl From<A> for String {})),
            header(&quote!(impl From<B> for String {}))
        );
        let items: Vec<syn::Item> = vec![
            syn::parse_quote!(impl From<A> for String { fn from(a: A) -> Self { a.0 } }),
            syn::parse_quote!(impl From<B> for String { fn from(b: B) -> Self { b.0 } }),
        ];
        let impls = Impls::of(&items);
        let b = quote!(impl From<B> for String { fn from(b: B) -> Self { b.0 } });
        assert_eq!(impls.find(&b), Some(1));
        let other = quote!(impl From<B> for String { fn from(b: B) -> Self { b.1 } });
        assert_eq!(impls.find(&other), None);
    }
}
