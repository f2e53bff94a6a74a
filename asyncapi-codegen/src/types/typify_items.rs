//! typify's output as items, its impls left unparsed until the compaction
//! passes have decided which stay.
//!
//! typify writes about four impls for every string type (`Display`,
//! `FromStr`, two `TryFrom`s; a pattern string a `Deserialize` and a
//! newtype's three besides), and the compaction passes replace nearly all
//! of them by one runtime macro call. Parsing their bodies with syn (and
//! visiting them to reroute their paths) was a fifth of `generate()` in a
//! build script on 100 synthetic messages. So every top-level impl stays as
//! typify's tokens ([`syn::Item::Verbatim`]), compared as tokens by the
//! compaction; those that stay are parsed and rerouted afterwards
//! ([`parse_impls`]). Everything else is parsed at once.

use super::paths::through_runtime;
use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// The items of typify's output: impls as their tokens, the others parsed
/// and rerouted through the runtime.
pub(super) fn items(tokens: TokenStream) -> Result<Vec<syn::Item>, String> {
    let mut items = Vec::new();
    // Tokens of items that are no impl, parsed together.
    let mut others: Vec<TokenTree> = Vec::new();
    let mut tokens = tokens.into_iter().peekable();
    while tokens.peek().is_some() {
        // An item starts here: its outer attributes, then `impl` or not.
        let mut item: Vec<TokenTree> = Vec::new();
        while matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '#') {
            item.extend(tokens.next());
            item.extend(tokens.next());
        }
        let impl_ = matches!(tokens.peek(), Some(TokenTree::Ident(i)) if i == "impl");
        // To the end of the item: its braced body or its `;` (for an item
        // that is no impl, perhaps earlier: the items that follow are read
        // by syn with it).
        for token in tokens.by_ref() {
            let end = match &token {
                TokenTree::Group(group) => group.delimiter() == Delimiter::Brace,
                TokenTree::Punct(punct) => punct.as_char() == ';' && !impl_,
                _ => false,
            };
            item.push(token);
            if end {
                break;
            }
        }
        if impl_ {
            parse_others(&mut others, &mut items)?;
            items.push(syn::Item::Verbatim(item.into_iter().collect()));
        } else {
            others.append(&mut item);
        }
    }
    parse_others(&mut others, &mut items)?;
    Ok(items)
}

/// Parses the gathered tokens of items that are no impls, reroutes them
/// and appends them to `items`.
fn parse_others(others: &mut Vec<TokenTree>, items: &mut Vec<syn::Item>) -> Result<(), String> {
    if others.is_empty() {
        return Ok(());
    }
    let tokens: TokenStream = others.drain(..).collect();
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| e.to_string())?;
    through_runtime(&mut file.items);
    items.append(&mut file.items);
    Ok(())
}

/// Whether `tokens` are an impl: outer attributes, then `impl`.
pub(super) fn is_impl(tokens: &TokenStream) -> bool {
    let mut tokens = tokens.clone().into_iter();
    loop {
        match tokens.next() {
            Some(TokenTree::Punct(p)) if p.as_char() == '#' => {
                tokens.next();
            }
            Some(TokenTree::Ident(i)) => return i == "impl",
            _ => return false,
        }
    }
}

/// Parses the impls among `items` that are still typify's tokens (those
/// the compaction kept) and reroutes them through the runtime.
pub(super) fn parse_impls(items: &mut [syn::Item]) -> Result<(), String> {
    for item in items.iter_mut() {
        if let syn::Item::Verbatim(tokens) = item {
            if is_impl(tokens) {
                *item = syn::parse2(std::mem::take(tokens)).map_err(|e| e.to_string())?;
                through_runtime(std::slice::from_mut(item));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn impls_stay_tokens_until_parsed_and_the_rest_is_parsed_in_order() {
        let typify = quote! {
            #[doc = "An error."]
            pub mod error {
                pub struct ConversionError(::std::borrow::Cow<'static, str>);
                impl ::std::fmt::Display for ConversionError {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { f.write_str("x") }
                }
            }
            #[doc = "A pair."]
            #[derive(::serde::Serialize)]
            pub struct Pair(String);
            pub type Alias = ::serde_json::Value;
            #[doc = "Its deref."]
            impl ::std::ops::Deref for Pair {
                type Target = String;
                fn deref(&self) -> &String { &self.0 }
            }
            impl<'de> ::serde::Deserialize<'de> for Pair {
                fn deserialize<D>(d: D) -> Result<Self, D::Error> where D: ::serde::Deserializer<'de> {
                    todo!()
                }
            }
            pub enum Side { Buy }
        };
        let mut items = items(typify).unwrap();
        let kinds: Vec<&str> = items
            .iter()
            .map(|item| match item {
                syn::Item::Mod(_) => "mod",
                syn::Item::Struct(_) => "struct",
                syn::Item::Type(_) => "type",
                syn::Item::Verbatim(tokens) if is_impl(tokens) => "impl tokens",
                syn::Item::Enum(_) => "enum",
                _ => "other",
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "mod",
                "struct",
                "type",
                "impl tokens",
                "impl tokens",
                "enum"
            ]
        );
        let text = quote!(#(#items)*).to_string();
        assert!(text.contains("derive (rt :: serde :: Serialize)"), "{text}");
        assert!(text.contains("serde (crate = \"rt::serde\")"), "{text}");
        assert!(text.contains("Alias = rt :: serde_json :: Value"), "{text}");
        assert!(text.contains(":: serde :: Deserializer"), "{text}");
        parse_impls(&mut items).unwrap();
        assert!(matches!(&items[3], syn::Item::Impl(imp) if imp.attrs.len() == 1));
        let text = quote!(#(#items)*).to_string();
        assert_eq!(
            text.matches(":: serde").count(),
            text.matches("rt :: serde").count(),
            "{text}"
        );
        assert!(text.contains("rt :: serde :: Deserializer"), "{text}");
    }

    #[test]
    fn what_syn_cannot_read_is_an_error() {
        assert!(items(quote!(pub struct X { a: })).is_err());
        let mut kept = items(quote!(impl X { fn f() -> {} })).unwrap();
        assert!(parse_impls(&mut kept).is_err());
    }
}
