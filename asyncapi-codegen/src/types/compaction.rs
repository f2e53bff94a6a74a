//! What the compaction passes (`newtypes`, `strings`) share: finding
//! typify's impls exactly as typify writes them, and putting one runtime
//! macro call where several impls stood.
//!
//! The impls are typify's tokens, not parsed yet nor rerouted through the
//! runtime (`typify_items`); those expected of them are written as the
//! generated code spells paths (`rt::serde::…`). They are compared as
//! tokens ([`same`]): the same tokens in the same groups, whatever the
//! spacing of punctuation (syn prints `||` as `| |`), a path rooted at
//! `rt::` the same as one rooted at `::`. They are looked up by their
//! header (`impl From<A> for String`), so that the many impls for one type
//! (`From<…> for String`, one per newtype of a string) are not compared one
//! by one: that made the passes quadratic in the number of types.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;
use std::collections::HashMap;

/// Every impl among some items, as typify's tokens (see `typify_items`):
/// by the type it is for, and by its header (which names the type too).
pub(super) struct Impls<'a> {
    items: &'a [syn::Item],
    by_type: HashMap<String, Vec<usize>>,
    by_header: HashMap<String, Vec<usize>>,
}

impl<'a> Impls<'a> {
    /// The impls among `items` that are still tokens, with their positions.
    pub(super) fn of(items: &'a [syn::Item]) -> Self {
        let mut by_type: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_header: HashMap<String, Vec<usize>> = HashMap::new();
        for (at, item) in items.iter().enumerate() {
            let Some(imp) = impl_tokens(item) else {
                continue;
            };
            let tokens: Vec<TokenTree> = imp.clone().into_iter().collect();
            by_header.entry(text(&tokens, true)).or_default().push(at);
            by_type.entry(self_type(&tokens)).or_default().push(at);
        }
        Impls {
            items,
            by_type,
            by_header,
        }
    }

    /// The tokens of the impls for `ty`, with their positions.
    pub(super) fn for_type(&self, ty: &impl ToTokens) -> Vec<(usize, &'a TokenStream)> {
        let ty: Vec<TokenTree> = ty.to_token_stream().into_iter().collect();
        self.by_type
            .get(&text(&ty, false))
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(|&at| Some((at, impl_tokens(&self.items[at])?)))
            .collect()
    }

    /// Where the impl that is exactly `expected` stands.
    pub(super) fn find(&self, expected: &TokenStream) -> Option<usize> {
        let tokens: Vec<TokenTree> = expected.clone().into_iter().collect();
        self.by_header
            .get(&text(&tokens, true))?
            .iter()
            .copied()
            .find(|&at| {
                impl_tokens(&self.items[at]).is_some_and(|imp| same(imp.clone(), expected.clone()))
            })
    }
}

/// An item's tokens, if it is an impl still as typify wrote it.
fn impl_tokens(item: &syn::Item) -> Option<&TokenStream> {
    match item {
        syn::Item::Verbatim(imp) if super::typify_items::is_impl(imp) => Some(imp),
        _ => None,
    }
}

/// The type an impl's tokens are for, as [`text`]: after `for` (outside
/// `<…>`), else after `impl` and its generics; up to `where` or the body.
fn self_type(tokens: &[TokenTree]) -> String {
    let is = |token: &TokenTree, c: char| matches!(token, TokenTree::Punct(p) if p.as_char() == c);
    let head = tokens
        .iter()
        .position(|t| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace))
        .map_or(tokens, |end| &tokens[..end]);
    let mut start = head
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(i) if i == "impl"))
        .map_or(head.len(), |i| i + 1);
    let mut depth = 0usize;
    if head.get(start).is_some_and(|t| is(t, '<')) {
        for (i, token) in head.iter().enumerate().skip(start) {
            if is(token, '<') {
                depth += 1;
            } else if is(token, '>') {
                depth -= 1;
                if depth == 0 {
                    start = i + 1;
                    break;
                }
            }
        }
    }
    let mut end = head.len();
    for (i, token) in head.iter().enumerate().skip(start) {
        if is(token, '<') {
            depth += 1;
        } else if is(token, '>') && !is(&head[i - 1], '-') {
            depth = depth.saturating_sub(1);
        } else if let (TokenTree::Ident(ident), 0) = (token, depth) {
            if ident == "for" {
                start = i + 1;
            } else if ident == "where" {
                end = i;
                break;
            }
        }
    }
    text(&head[start.min(end)..end], false)
}

/// `tokens` as text that does not depend on the spacing of punctuation
/// (syn prints `||` as `| |`), nor on a path's root being `rt::` or `::`:
/// every token followed by one space, an `rt` that roots a path left out
/// (typify's impls are compared before they are rerouted through the
/// runtime, `::serde`, the impls expected of them after, `rt::serde`).
/// With `head`, only what comes before the first braced group (an impl's
/// header). Two token streams are the same ([`same`]) when their texts are
/// equal.
pub(super) fn text(tokens: &[TokenTree], head: bool) -> String {
    fn write(tokens: &[TokenTree], out: &mut String, head: bool) {
        for (i, token) in tokens.iter().enumerate() {
            match token {
                TokenTree::Group(group) => {
                    let (open, close) = match group.delimiter() {
                        Delimiter::Parenthesis => ("(", ")"),
                        Delimiter::Bracket => ("[", "]"),
                        Delimiter::Brace if head => return,
                        Delimiter::Brace => ("{", "}"),
                        Delimiter::None => ("", ""),
                    };
                    out.push_str(open);
                    out.push(' ');
                    let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                    write(&inner, out, false);
                    out.push_str(close);
                }
                TokenTree::Punct(punct) => out.push(punct.as_char()),
                TokenTree::Ident(_) if roots(token, tokens.get(i + 1)) => continue,
                TokenTree::Ident(ident) => out.push_str(&ident.to_string()),
                TokenTree::Literal(literal) => out.push_str(&literal.to_string()),
            }
            out.push(' ');
        }
    }
    let mut out = String::new();
    write(tokens, &mut out, head);
    out
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

/// Whether `a` and `b` hold the same tokens: their [`text`]s are equal
/// (compared token by token, up to the first that differs).
pub(super) fn same(a: TokenStream, b: TokenStream) -> bool {
    let mut a = a.into_iter().peekable();
    let mut b = b.into_iter().peekable();
    loop {
        match (next_rooted(&mut a), next_rooted(&mut b)) {
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

/// The next token, an `rt` that roots a path passed over, as [`text`]
/// leaves it out.
fn next_rooted(
    tokens: &mut std::iter::Peekable<proc_macro2::token_stream::IntoIter>,
) -> Option<TokenTree> {
    let token = tokens.next()?;
    if roots(&token, tokens.peek()) {
        return tokens.next();
    }
    Some(token)
}

/// Whether `token`, followed by `next`, is the `rt` that roots a path
/// (`rt::serde`): the runtime's re-export module, which stands where
/// typify writes the global root (`::serde`).
fn roots(token: &TokenTree, next: Option<&TokenTree>) -> bool {
    matches!(token, TokenTree::Ident(i) if i == "rt")
        && matches!(next, Some(TokenTree::Punct(p)) if p.as_char() == ':')
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

    #[test]
    fn rt_roots_are_the_global_root() {
        assert!(same(
            quote!(
                impl<'de> ::serde::Deserialize<'de> for X {}
            ),
            quote!(
                impl<'de> rt::serde::Deserialize<'de> for X {}
            )
        ));
        assert!(!same(quote!(rt::serde::X), quote!(::serde::Y)));
        assert!(!same(quote!(rt), quote!(::serde)));
    }

    /// An impl's header and the type it is for, as looked up.
    fn header(tokens: &TokenStream) -> (String, String) {
        let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
        (text(&tokens, true), self_type(&tokens))
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
        assert_eq!(header(&expected).1, "Level ");
        let generic = quote! {
            #[doc = "x"]
            impl<'de, T: Clone> ::serde::Deserialize<'de> for Wrap<T> where T: Default { fn f() {} }
        };
        let (head, ty) = header(&generic);
        assert_eq!(ty, "Wrap < T > ");
        assert!(head.starts_with("# [ doc = \"x\" ] impl < ' de"), "{head}");
        assert!(head.ends_with("where T : Default "), "{head}");
        assert_eq!(
            header(&quote!(
                impl<T> Wrap<T> {
                    fn f() -> T {}
                }
            ))
            .1,
            "Wrap < T > "
        );
        assert_eq!(
            header(&quote!(impl ::std::ops::Deref for rt::serde_json::Value {})).1,
            ": : serde_json : : Value "
        );
        assert_ne!(
            header(&quote!(impl From<A> for String {})),
            header(&quote!(impl From<B> for String {}))
        );
        let items = vec![
            syn::Item::Verbatim(quote!(impl From<A> for String { fn from(a: A) -> Self { a.0 } })),
            syn::parse_quote!(
                pub struct A(String);
            ),
            syn::Item::Verbatim(quote!(impl From<B> for String { fn from(b: B) -> Self { b.0 } })),
        ];
        let impls = Impls::of(&items);
        let b = quote!(impl From<B> for String { fn from(b: B) -> Self { b.0 } });
        assert_eq!(impls.find(&b), Some(2));
        let other = quote!(impl From<B> for String { fn from(b: B) -> Self { b.1 } });
        assert_eq!(impls.find(&other), None);
        let string: syn::Ident = syn::parse_quote!(String);
        let at: Vec<usize> = impls.for_type(&string).iter().map(|(at, _)| *at).collect();
        assert_eq!(at, [0, 2]);
    }
}
