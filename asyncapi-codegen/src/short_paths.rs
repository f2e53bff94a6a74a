//! Prelude names instead of absolute `::std` paths in the generated file.
//!
//! The back ends and typify write `::std::option::Option<::std::string::String>`
//! so that nothing a document names can capture the path. Read by a user,
//! that is noise (and prettyplease wraps the long lines it makes). Every
//! generated module starts from the same prelude, so the prelude's name is
//! as exact as the absolute path unless the generated code itself declares an
//! item of that name (a schema called `Result`, say): such names keep their
//! absolute paths, everywhere in the file.

use std::collections::HashSet;
use syn::visit_mut::VisitMut;

/// The absolute paths this pass shortens, with the prelude name for each.
const PRELUDE: &[(&[&str], &str)] = &[
    (&["std", "string", "String"], "String"),
    (&["std", "vec", "Vec"], "Vec"),
    (&["std", "boxed", "Box"], "Box"),
    (&["std", "option", "Option"], "Option"),
    (&["std", "option", "Option", "Some"], "Some"),
    (&["std", "option", "Option", "None"], "None"),
    (&["std", "result", "Result"], "Result"),
    (&["std", "result", "Result", "Ok"], "Ok"),
    (&["std", "result", "Result", "Err"], "Err"),
    (&["std", "convert", "From"], "From"),
    (&["std", "convert", "Into"], "Into"),
    (&["std", "convert", "TryFrom"], "TryFrom"),
    (&["std", "marker", "Send"], "Send"),
    (&["std", "marker", "Sync"], "Sync"),
    (&["std", "clone", "Clone"], "Clone"),
    (&["std", "default", "Default"], "Default"),
];

/// Rewrites the absolute paths of [`PRELUDE`] in `file` to prelude names,
/// but for the names the file declares itself.
pub fn shorten(file: &mut syn::File) {
    let mut declared = Declared::default();
    declared.visit_file_mut(file);
    let mut rewrite = Rewrite {
        taken: declared.names,
    };
    rewrite.visit_file_mut(file);
}

/// The names of the items the file declares (in any module).
#[derive(Default)]
struct Declared {
    names: HashSet<String>,
}

impl VisitMut for Declared {
    fn visit_item_mut(&mut self, item: &mut syn::Item) {
        let ident = match item {
            syn::Item::Struct(i) => Some(&i.ident),
            syn::Item::Enum(i) => Some(&i.ident),
            syn::Item::Type(i) => Some(&i.ident),
            syn::Item::Trait(i) => Some(&i.ident),
            syn::Item::Fn(i) => Some(&i.sig.ident),
            syn::Item::Const(i) => Some(&i.ident),
            syn::Item::Static(i) => Some(&i.ident),
            syn::Item::Mod(i) => Some(&i.ident),
            syn::Item::Union(i) => Some(&i.ident),
            syn::Item::Macro(i) => i.ident.as_ref(),
            _ => None,
        };
        if let Some(ident) = ident {
            self.names.insert(ident.to_string());
        }
        if let syn::Item::Use(u) = item {
            collect_use_names(&u.tree, &mut self.names);
        }
        if let syn::Item::Macro(m) = item {
            let declared = crate::names::declared_in_macro(m.mac.tokens.clone());
            self.names.extend(declared.iter().map(ToString::to_string));
        }
        syn::visit_mut::visit_item_mut(self, item);
    }
}

/// The names a `use` brings into scope.
fn collect_use_names(tree: &syn::UseTree, out: &mut HashSet<String>) {
    match tree {
        syn::UseTree::Path(p) => collect_use_names(&p.tree, out),
        syn::UseTree::Name(n) => {
            out.insert(n.ident.to_string());
        }
        syn::UseTree::Rename(r) => {
            out.insert(r.rename.to_string());
        }
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| collect_use_names(t, out)),
        syn::UseTree::Glob(_) => {}
    }
}

/// The rewriting pass.
struct Rewrite {
    taken: HashSet<String>,
}

impl Rewrite {
    /// The prelude name for an absolute path's segments, if it has one that
    /// the file leaves free.
    fn short(&self, segments: &[String]) -> Option<&'static str> {
        PRELUDE
            .iter()
            .find(|(long, _)| long.len() == segments.len() && long.iter().eq(segments.iter()))
            .map(|(_, short)| *short)
            .filter(|short| !self.taken.contains(*short))
    }

    /// A `"::std::option::Option::is_none"`-style path in a string (serde
    /// attributes), shortened where it starts with a [`PRELUDE`] path.
    fn short_str(&self, text: &str) -> Option<String> {
        let rest = text.strip_prefix("::")?;
        let segments: Vec<&str> = rest.split("::").collect();
        (1..=segments.len()).rev().find_map(|n| {
            let head: Vec<String> = segments[..n].iter().map(|s| s.to_string()).collect();
            let short = self.short(&head)?;
            let tail = &segments[n..];
            Some(
                std::iter::once(short)
                    .chain(tail.iter().copied())
                    .collect::<Vec<_>>()
                    .join("::"),
            )
        })
    }
}

impl VisitMut for Rewrite {
    fn visit_expr_path_mut(&mut self, expr: &mut syn::ExprPath) {
        self.qualified(&mut expr.qself, &mut expr.path);
    }

    fn visit_type_path_mut(&mut self, ty: &mut syn::TypePath) {
        self.qualified(&mut ty.qself, &mut ty.path);
    }

    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        syn::visit_mut::visit_path_mut(self, path);
        if path.leading_colon.is_none() {
            return;
        }
        // The longest prefix without generic arguments that has a short name.
        let idents: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        for n in (1..=idents.len()).rev() {
            let plain_prefix = path
                .segments
                .iter()
                .take(n - 1)
                .all(|s| s.arguments.is_none());
            if !plain_prefix {
                continue;
            }
            let Some(short) = self.short(&idents[..n]) else {
                continue;
            };
            let mut segments: syn::punctuated::Punctuated<syn::PathSegment, syn::Token![::]> =
                syn::punctuated::Punctuated::new();
            let mut last = path.segments[n - 1].clone();
            last.ident = syn::Ident::new(short, last.ident.span());
            segments.push(last);
            for segment in path.segments.iter().skip(n) {
                segments.push(segment.clone());
            }
            path.leading_colon = None;
            path.segments = segments;
            return;
        }
    }

    fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
        // serde's attributes hold paths in strings; syn sees them as tokens.
        if !attr.path().is_ident("serde") {
            return;
        }
        if let syn::Meta::List(list) = &mut attr.meta {
            list.tokens = self.rewrite_tokens(list.tokens.clone(), true);
        }
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        syn::visit_mut::visit_macro_mut(self, mac);
        mac.tokens = self.rewrite_tokens(mac.tokens.clone(), false);
    }
}

impl Rewrite {
    /// A path that may be qualified (`<T as ::std::convert::From<U>>::from`):
    /// the qualifier's position counts the trait's segments, which shrink.
    fn qualified(&mut self, qself: &mut Option<syn::QSelf>, path: &mut syn::Path) {
        if let Some(q) = qself {
            self.visit_type_mut(&mut q.ty);
        }
        let before = path.segments.len();
        self.visit_path_mut(path);
        if let Some(q) = qself {
            q.position -= before - path.segments.len();
        }
    }

    /// Shortens paths written as tokens (attribute arguments and macro
    /// bodies, which syn does not parse) and, with `strings`, paths in string
    /// literals there (serde's `skip_serializing_if = "..."`; never in other
    /// strings, which may be a document's values).
    fn rewrite_tokens(
        &self,
        tokens: proc_macro2::TokenStream,
        strings: bool,
    ) -> proc_macro2::TokenStream {
        use proc_macro2::{Group, Literal, TokenTree};
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len());
        let mut i = 0;
        while i < trees.len() {
            // `a::std::…` continues the path `a`: not an absolute one.
            let continues = matches!(out.last(), Some(TokenTree::Ident(_)));
            if let Some((short, used)) = self.path_at(&trees[i..]).filter(|_| !continues) {
                out.push(TokenTree::Ident(proc_macro2::Ident::new(
                    short,
                    proc_macro2::Span::call_site(),
                )));
                i += used;
                continue;
            }
            match &trees[i] {
                TokenTree::Group(g) => {
                    let mut group =
                        Group::new(g.delimiter(), self.rewrite_tokens(g.stream(), strings));
                    group.set_span(g.span());
                    out.push(TokenTree::Group(group));
                }
                TokenTree::Literal(l) if strings => {
                    // Only a string starting `"::` can hold such a path; the
                    // others (`rename = "..."`) are not parsed.
                    let text = l.to_string();
                    let short = Some(text)
                        .filter(|text| text.starts_with("\"::"))
                        .and_then(|text| syn::parse_str::<syn::LitStr>(&text).ok())
                        .and_then(|s| self.short_str(&s.value()));
                    out.push(match short {
                        Some(s) => TokenTree::Literal(Literal::string(&s)),
                        None => trees[i].clone(),
                    });
                }
                other => out.push(other.clone()),
            }
            i += 1;
        }
        out.into_iter().collect()
    }

    /// A `::a::b::c` path at the start of `trees` that has a short name: the
    /// name and how many tokens the path took. The longest such path wins.
    fn path_at(&self, trees: &[proc_macro2::TokenTree]) -> Option<(&'static str, usize)> {
        use proc_macro2::TokenTree;
        let is_colon2 = |at: usize| {
            matches!((trees.get(at), trees.get(at + 1)),
                (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
                    if a.as_char() == ':' && b.as_char() == ':' && a.spacing() == proc_macro2::Spacing::Joint)
        };
        let mut segments = Vec::new();
        let mut at = 0;
        let mut best = None;
        while is_colon2(at) {
            let Some(TokenTree::Ident(ident)) = trees.get(at + 2) else {
                break;
            };
            segments.push(ident.to_string());
            at += 3;
            if let Some(short) = self.short(&segments) {
                best = Some((short, at));
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn run(tokens: proc_macro2::TokenStream) -> String {
        let mut file: syn::File = syn::parse2(tokens).unwrap();
        shorten(&mut file);
        prettyplease::unparse(&file)
    }

    #[test]
    fn shortens_types_variants_and_serde_strings() {
        let out = run(quote! {
            pub struct A {
                #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                pub a: ::std::option::Option<::std::vec::Vec<::std::string::String>>,
            }
            fn f() -> ::std::result::Result<(), ()> { ::std::result::Result::Ok(()) }
            fn g() { let _ = ::std::option::Option::<u8>::None; }
            fn h() -> u8 { <u8 as ::std::convert::From<bool>>::from(true) }
        });
        assert!(out.contains("<u8 as From<bool>>::from(true)"), "{out}");
        assert!(out.contains("pub a: Option<Vec<String>>"), "{out}");
        assert!(
            out.contains(r#"skip_serializing_if = "Option::is_none""#),
            "{out}"
        );
        assert!(out.contains("-> Result<(), ()>"), "{out}");
        assert!(out.contains("Ok(())"), "{out}");
        assert!(out.contains("Option::<u8>::None"), "{out}");
        assert!(!out.contains("::std"), "{out}");
    }

    #[test]
    fn keeps_absolute_paths_for_names_the_file_declares() {
        let out = run(quote! {
            pub mod types {
                pub struct Result { pub ok: bool }
                pub struct B { pub r: ::std::result::Result<u8, u8>, pub s: ::std::string::String }
            }
            fn f() { let _ = ::std::result::Result::<u8, u8>::Ok(1); }
        });
        assert!(out.contains("::std::result::Result<u8, u8>"), "{out}");
        assert!(out.contains("pub s: String"), "{out}");
        assert!(
            out.contains("::std::result::Result::<u8, u8>::Ok(1)"),
            "{out}"
        );
    }

    #[test]
    fn a_path_that_merely_ends_like_std_is_kept() {
        let out = run(quote! {
            rt::thing! { pub struct X(my::std::string::String, ::std::string::String); }
        });
        assert!(out.contains("my::std::string::String"), "{out}");
        assert!(out.contains(", String)"), "{out}");
    }

    #[test]
    fn leaves_string_values_alone() {
        let out = run(quote! {
            const A: &str = "::std::string::String";
            rt::constant! { pub struct B: str = "::std::vec::Vec"; }
        });
        assert!(out.contains(r#""::std::string::String""#), "{out}");
        assert!(out.contains(r#""::std::vec::Vec""#), "{out}");
    }

    #[test]
    fn shortens_inside_macro_bodies() {
        let out = run(quote! {
            rt::thing! { pub struct X(::std::string::String); }
        });
        assert!(out.contains("String"), "{out}");
        assert!(!out.contains("::std::string"), "{out}");
    }
}
