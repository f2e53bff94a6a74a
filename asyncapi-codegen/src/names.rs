//! Rust identifiers from document names: the one sanitiser every generated
//! name goes through, and a scope that keeps names in it distinct.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};
use std::collections::HashSet;

/// The names a runtime macro's body declares (`rt::pattern_string! { pub
/// struct Name("…"); }`, `rt::string_enum! { pub enum Side { … } }`): each
/// identifier right after `struct` or `enum`.
pub fn declared_in_macro(tokens: proc_macro2::TokenStream) -> Vec<Ident> {
    let mut names = Vec::new();
    let mut after_keyword = false;
    for token in tokens {
        if let proc_macro2::TokenTree::Ident(ident) = token {
            if after_keyword {
                after_keyword = false;
                names.push(ident);
            } else {
                after_keyword = ident == "struct" || ident == "enum";
            }
        }
    }
    names
}

/// Words that cannot be identifiers even as raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Every keyword (strict, reserved, and edition-dependent ones).
const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Keeps only the characters that may appear in an identifier, turning the
/// rest into word breaks, so that heck can case it.
fn words(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                ' '
            }
        })
        .collect()
}

/// Makes `cased` a valid identifier string: never empty, never starting with
/// a digit, never a keyword (keywords get a trailing `_`).
fn finish(cased: String, fallback: &str) -> String {
    let mut s: String = cased
        .chars()
        .filter(|c| unicode_ident_continue(*c))
        .collect();
    if s.is_empty() {
        s = fallback.to_string();
    }
    if s.chars().next().is_some_and(|c| !unicode_ident_start(c)) {
        s.insert(0, '_');
    }
    if KEYWORDS.contains(&s.as_str()) || NOT_RAW.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

fn unicode_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn unicode_ident_continue(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// `UpperCamelCase` identifier text for a type or variant named `name`.
pub fn type_name(name: &str) -> String {
    finish(words(name).to_upper_camel_case(), "Unnamed")
}

/// `snake_case` identifier text for a module, field or function named `name`.
pub fn snake_name(name: &str) -> String {
    finish(words(name).to_snake_case(), "unnamed")
}

/// `SCREAMING_SNAKE_CASE` identifier text for a constant named `name`.
pub fn const_name(name: &str) -> String {
    finish(words(name).to_snake_case().to_uppercase(), "UNNAMED")
}

/// An identifier token for text made by the functions above.
pub fn ident(text: &str) -> Ident {
    Ident::new(text, Span::call_site())
}

/// A set of names that must stay distinct: the first to ask for a name gets
/// it, later ones get `Name2`, `Name3`, … (or `name_2` for snake case).
#[derive(Debug, Default, Clone)]
pub struct Scope {
    taken: HashSet<String>,
}

impl Scope {
    /// A scope in which `reserved` are already taken.
    pub fn with_reserved<'a>(reserved: impl IntoIterator<Item = &'a str>) -> Self {
        Scope {
            taken: reserved.into_iter().map(str::to_string).collect(),
        }
    }

    /// Claims `name` (already sanitised), or the first free numbered form of it.
    pub fn claim(&mut self, name: String) -> String {
        if self.taken.insert(name.clone()) {
            return name;
        }
        let sep = if name.contains('_') || name.chars().all(|c| !c.is_uppercase()) {
            "_"
        } else {
            ""
        };
        (2..)
            .map(|n| format!("{name}{sep}{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .expect("an unbounded range always has a free name")
    }
}

/// The closest of `candidates` to `name`, if close enough to be a typo.
pub fn closest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&name.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|&(distance, c)| distance <= c.len().max(name.len()) / 3)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macros_declare_the_names_after_struct_and_enum() {
        let names = |tokens: proc_macro2::TokenStream| -> Vec<String> {
            declared_in_macro(tokens)
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        assert_eq!(names(quote::quote!(pub struct Pattern("^a");)), ["Pattern"]);
        assert_eq!(
            names(quote::quote!(
                #[doc = "x"]
                pub enum Side {
                    Buy = "buy",
                }
                struct B;
            )),
            ["Side", "B"]
        );
        assert!(names(quote::quote!(Ping(types::Ping), from;)).is_empty());
    }

    #[test]
    fn names_are_valid_identifiers() {
        assert_eq!(type_name("subscriptionStatus"), "SubscriptionStatus");
        assert_eq!(type_name("book-10"), "Book10");
        assert_eq!(type_name("10"), "_10");
        assert_eq!(type_name(""), "Unnamed");
        assert_eq!(type_name("self"), "Self_");
        assert_eq!(snake_name("/"), "unnamed");
        assert_eq!(snake_name("type"), "type_");
        assert_eq!(
            snake_name("user/{userId}/signedup"),
            "user_user_id_signedup"
        );
        assert_eq!(const_name("public"), "PUBLIC");
        assert_eq!(const_name("ws-auth"), "WS_AUTH");
    }

    #[test]
    fn scope_numbers_repeats() {
        let mut scope = Scope::default();
        assert_eq!(scope.claim("Ping".into()), "Ping");
        assert_eq!(scope.claim("Ping".into()), "Ping2");
        assert_eq!(scope.claim("ping".into()), "ping");
        assert_eq!(scope.claim("ping".into()), "ping_2");
    }
}
