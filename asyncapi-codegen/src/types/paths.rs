//! Generated code reaches serde, serde_json, regress, chrono and uuid
//! through the runtime's re-export module, imported once per generated
//! module as `rt` (`use ::asyncapi_runtime::__private as rt;`), so that
//! users need not depend on them: typify's output is rewritten to say so.

use proc_macro2::{TokenStream, TokenTree};
use quote::quote;

/// The crates typify's output names that generated code reaches through
/// `asyncapi_runtime::__private` instead, so that users need not depend on
/// them.
const RUNTIME_CRATES: &[&str] = &["serde", "serde_json", "regress", "chrono", "uuid"];

/// Rewrites items of typify's output so that they name serde, regress,
/// chrono, uuid and serde_json through the runtime's re-export module
/// (`rt::serde::…`).
pub(super) fn through_runtime(items: &mut [syn::Item]) {
    use syn::visit_mut::VisitMut;

    struct Rewrite;

    /// Reroutes `::crate::…` paths to `rt::crate::…`; returns how many
    /// segments were added.
    fn reroute(path: &mut syn::Path) -> usize {
        let first = path.segments.first().map(|s| s.ident.to_string());
        if path.leading_colon.is_some()
            && first.is_some_and(|f| RUNTIME_CRATES.contains(&f.as_str()))
        {
            let rest = std::mem::take(&mut path.segments);
            let mut segments: syn::punctuated::Punctuated<syn::PathSegment, syn::Token![::]> =
                syn::parse_quote!(rt);
            let added = segments.len();
            segments.extend(rest);
            path.segments = segments;
            path.leading_colon = None;
            added
        } else {
            0
        }
    }

    /// Reroutes paths written inside string literals of `#[serde(...)]`
    /// attributes (`skip_serializing_if = "::serde_json::Map::is_empty"`).
    fn reroute_strings(attr: &syn::Attribute) -> Option<syn::Attribute> {
        // Most attributes name no such path (`"::std::option::Option::is_none"`
        // is common): their literals are read, not the whole attribute printed.
        let syn::Meta::List(list) = &attr.meta else {
            return None;
        };
        let names_runtime_crate = |token: &TokenTree| {
            let TokenTree::Literal(lit) = token else {
                return false;
            };
            let text = lit.to_string();
            text.strip_prefix("\"::").is_some_and(|path| {
                RUNTIME_CRATES.iter().any(|krate| {
                    path.strip_prefix(krate)
                        .is_some_and(|rest| rest.starts_with("::"))
                })
            })
        };
        if !any_token(list.tokens.clone(), &names_runtime_crate) {
            return None;
        }
        let text = quote!(#attr).to_string();
        let mut rewritten = text.clone();
        for krate in RUNTIME_CRATES {
            rewritten = rewritten.replace(&format!("\"::{krate}::"), &format!("\"rt::{krate}::"));
        }
        if rewritten == text {
            return None;
        }
        syn::parse::Parser::parse_str(syn::Attribute::parse_outer, &rewritten)
            .ok()
            .and_then(|mut attrs| attrs.pop())
    }

    impl VisitMut for Rewrite {
        fn visit_expr_path_mut(&mut self, expr: &mut syn::ExprPath) {
            let added = reroute(&mut expr.path);
            if let Some(qself) = &mut expr.qself {
                qself.position += added;
            }
            syn::visit_mut::visit_expr_path_mut(self, expr);
        }

        fn visit_type_path_mut(&mut self, ty: &mut syn::TypePath) {
            let added = reroute(&mut ty.path);
            if let Some(qself) = &mut ty.qself {
                qself.position += added;
            }
            syn::visit_mut::visit_type_path_mut(self, ty);
        }

        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            reroute(path);
            syn::visit_mut::visit_path_mut(self, path);
        }

        fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
            if attr.path().is_ident("derive") {
                if let Ok(paths) = attr.parse_args_with(
                    syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
                ) {
                    let paths = paths.into_iter().map(|mut p| {
                        reroute(&mut p);
                        p
                    });
                    attr.meta = syn::parse_quote!(derive(#(#paths),*));
                }
            } else if attr.path().is_ident("serde") {
                if let Some(rewritten) = reroute_strings(attr) {
                    *attr = rewritten;
                }
            }
        }

        fn visit_item_struct_mut(&mut self, item: &mut syn::ItemStruct) {
            syn::visit_mut::visit_item_struct_mut(self, item);
            mark_serde_crate(&mut item.attrs);
        }

        fn visit_item_enum_mut(&mut self, item: &mut syn::ItemEnum) {
            syn::visit_mut::visit_item_enum_mut(self, item);
            mark_serde_crate(&mut item.attrs);
        }
    }

    /// Tells serde's derives where serde is, on items that derive it.
    fn mark_serde_crate(attrs: &mut Vec<syn::Attribute>) {
        let derives_serde = attrs.iter().any(|attr| match &attr.meta {
            syn::Meta::List(list) if list.path.is_ident("derive") => {
                any_token(list.tokens.clone(), &|token| {
                    matches!(token, TokenTree::Ident(i) if i == "Serialize" || i == "Deserialize")
                })
            }
            _ => false,
        });
        if derives_serde {
            attrs.push(syn::parse_quote!(#[serde(crate = "rt::serde")]));
        }
    }

    /// Whether a token of `tokens`, inside groups too, is one `is` holds for.
    fn any_token(tokens: TokenStream, is: &dyn Fn(&TokenTree) -> bool) -> bool {
        tokens.into_iter().any(|token| match &token {
            TokenTree::Group(group) => any_token(group.stream(), is),
            _ => is(&token),
        })
    }

    for item in items {
        Rewrite.visit_item_mut(item);
    }
}
