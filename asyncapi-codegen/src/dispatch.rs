//! Deciding variants: the rules that tell the messages of an enum apart
//! (collected by the model, [`crate::ir::Rule`]), pruned to those worth
//! checking and written as a dispatch table for `asyncapi_runtime::dispatch`.
//! Structural tests (required keys, closed objects) are used only when
//! values leave a tie.

pub use crate::ir::{Rule, Seg, Test};
use crate::types::lit_tokens;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// Whether a test is structural (used only to break ties).
fn is_structural(test: &Test) -> bool {
    matches!(test, Test::Has(_) | Test::Closed(_))
}

/// Whether no value satisfies both tests.
fn incompatible(a: &Test, b: &Test) -> bool {
    let matches_pattern = |pattern: &str, value: &Value| match value {
        Value::String(s) => regress::Regex::new(pattern).map_or(true, |r| r.find(s).is_some()),
        _ => false,
    };
    let kind_of = |value: &Value| match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    match (a, b) {
        (Test::Kind(x), Test::Kind(y)) => x != y,
        (Test::Len(x), Test::Len(y)) => x != y,
        (Test::Len(n), Test::LenRange(min, max)) | (Test::LenRange(min, max), Test::Len(n)) => {
            n < min || max.is_some_and(|m| *n > m)
        }
        (Test::OneOf(x), Test::OneOf(y) | Test::OneOfOrAbsent(y))
        | (Test::OneOfOrAbsent(y), Test::OneOf(x)) => !x.iter().any(|v| y.contains(v)),
        (Test::OneOf(x), Test::Pattern(p) | Test::PatternOrAbsent(p))
        | (Test::Pattern(p) | Test::PatternOrAbsent(p), Test::OneOf(x)) => {
            !x.iter().any(|v| matches_pattern(p, v))
        }
        (Test::Pattern(p), Test::OneOfOrAbsent(x)) | (Test::OneOfOrAbsent(x), Test::Pattern(p)) => {
            !x.iter().any(|v| matches_pattern(p, v))
        }
        (Test::Kind(k), Test::OneOf(x)) | (Test::OneOf(x), Test::Kind(k)) => {
            !x.iter().any(|v| kind_of(v) == *k)
        }
        _ => false,
    }
}

/// Whether some rule of `a` and some rule of `b` at the same path cannot
/// both hold.
fn separated(a: &[Rule], b: &[Rule]) -> bool {
    a.iter().any(|r| {
        b.iter()
            .any(|s| r.path == s.path && incompatible(&r.test, &s.test))
    })
}

/// Keeps the rules worth checking: value tests near the top of the frame
/// (found by the one scan of the frame that is made anyway) and structural
/// tests always; deeper value tests only for messages that the former do
/// not tell apart from some other message.
pub fn prune(variants: &mut [(String, Vec<Rule>)]) {
    let shallow = |rules: &[Rule]| -> Vec<Rule> {
        rules
            .iter()
            .filter(|r| r.path.len() <= 1 || is_structural(&r.test))
            .cloned()
            .collect()
    };
    let values_only = |rules: &[Rule]| -> Vec<Rule> {
        rules
            .iter()
            .filter(|r| !is_structural(&r.test))
            .cloned()
            .collect()
    };
    for (_, rules) in variants.iter_mut() {
        drop_redundant(rules);
    }
    let base: Vec<Vec<Rule>> = variants.iter().map(|(_, r)| shallow(r)).collect();
    for i in 0..variants.len() {
        let mine = values_only(&base[i]);
        let tied = (0..variants.len()).any(|j| j != i && !separated(&mine, &values_only(&base[j])));
        if !tied {
            variants[i].1 = base[i].clone();
        }
    }
}

/// The messages of one enum, for its dispatch table.
pub struct TableInput<'a> {
    /// The enum's name.
    pub enum_name: &'a str,
    /// Per variant: its name and rules.
    pub variants: Vec<(String, Vec<Rule>)>,
}

/// A function body item: `fn __table() -> &'static Table` with the table
/// as statics.
pub fn table_fn(input: &TableInput<'_>) -> TokenStream {
    let rt = quote!(::asyncapi_runtime::__private::dispatch);
    let mut paths: Vec<Vec<Seg>> = Vec::new();
    let mut patterns: Vec<String> = Vec::new();
    let mut candidates = Vec::new();
    for (name, rules) in &input.variants {
        let mut rule_tokens = Vec::new();
        for rule in rules {
            let path = match paths.iter().position(|p| *p == rule.path) {
                Some(i) => i,
                None => {
                    paths.push(rule.path.clone());
                    paths.len() - 1
                }
            };
            let mut pattern_ref = |p: &String| {
                let i = match patterns.iter().position(|q| q == p) {
                    Some(i) => i,
                    None => {
                        patterns.push(p.clone());
                        patterns.len() - 1
                    }
                };
                let ident = format_ident!("PATTERN_{}", i);
                quote!(&#ident)
            };
            let lits = |values: &Vec<Value>| {
                let lits = values.iter().map(lit_tokens);
                quote!(&[#(#lits),*])
            };
            let test = match &rule.test {
                Test::Kind(kind) => {
                    let kind = format_ident!(
                        "{}",
                        match *kind {
                            "object" => "Object",
                            "array" => "Array",
                            "string" => "String",
                            "number" => "Number",
                            "boolean" => "Bool",
                            _ => "Null",
                        }
                    );
                    quote!(#rt::Test::Kind(#rt::Kind::#kind))
                }
                Test::Len(n) => quote!(#rt::Test::Len(#n)),
                Test::LenRange(min, max) => {
                    let max = match max {
                        Some(m) => quote!(::std::option::Option::Some(#m)),
                        None => quote!(::std::option::Option::None),
                    };
                    quote!(#rt::Test::LenRange(#min, #max))
                }
                Test::OneOf(values) => {
                    let lits = lits(values);
                    quote!(#rt::Test::OneOf(#lits))
                }
                Test::OneOfOrAbsent(values) => {
                    let lits = lits(values);
                    quote!(#rt::Test::OneOfOrAbsent(#lits))
                }
                Test::Pattern(p) => {
                    let p = pattern_ref(p);
                    quote!(#rt::Test::Pattern(#p))
                }
                Test::PatternOrAbsent(p) => {
                    let p = pattern_ref(p);
                    quote!(#rt::Test::PatternOrAbsent(#p))
                }
                Test::Has(key) => quote!(#rt::Test::Has(#key)),
                Test::Closed(keys) => quote!(#rt::Test::Closed(&[#(#keys),*])),
            };
            rule_tokens.push(quote!(#rt::Rule { path: #path, test: #test }));
        }
        candidates.push(quote! {
            #rt::Candidate { name: #name, rules: &[#(#rule_tokens),*] }
        });
    }
    let path_tokens = paths.iter().map(|path| {
        let segs = path.iter().map(|seg| match seg {
            Seg::Key(k) => quote!(#rt::Seg::Key(#k)),
            Seg::Index(i) => quote!(#rt::Seg::Index(#i)),
        });
        quote!(&[#(#segs),*])
    });
    let pattern_items = patterns.iter().enumerate().map(|(i, source)| {
        let ident = format_ident!("PATTERN_{}", i);
        let func = format_ident!("pattern_{}", i);
        // Simple patterns are matched by plain Rust (a regex engine costs
        // more than the rest of the dispatch); the others by regress.
        let body = crate::pattern::matcher(source).unwrap_or_else(|| {
            quote! {
                static REGEX: ::std::sync::OnceLock<::std::option::Option<::asyncapi_runtime::__private::regress::Regex>> =
                    ::std::sync::OnceLock::new();
                REGEX
                    .get_or_init(|| ::asyncapi_runtime::__private::regress::Regex::new(#source).ok())
                    .as_ref()
                    .is_some_and(|regex| regex.find(value).is_some())
            }
        });
        quote! {
            static #ident: #rt::Pattern = #rt::Pattern { source: #source, is_match: #func };
            fn #func(value: &str) -> bool {
                #body
            }
        }
    });
    let enum_name = input.enum_name;
    quote! {
        fn __table() -> &'static #rt::Table {
            #(#pattern_items)*
            static TABLE: #rt::Table = #rt::Table {
                enum_name: #enum_name,
                paths: &[#(#path_tokens),*],
                candidates: &[#(#candidates),*],
                prepared: #rt::Prepared::new(),
            };
            &TABLE
        }
    }
}

/// Drops tests that another test of the same message implies: the JSON
/// type of a value pinned by `const`/`enum`/`pattern`, and the presence of
/// a key whose value is pinned.
fn drop_redundant(rules: &mut Vec<Rule>) {
    let pinned: Vec<Vec<Seg>> = rules
        .iter()
        .filter(|r| matches!(r.test, Test::OneOf(_) | Test::Pattern(_)))
        .map(|r| r.path.clone())
        .collect();
    rules.retain(|r| match &r.test {
        Test::Kind(_) => !pinned.contains(&r.path),
        Test::Has(key) => {
            let member = [r.path.as_slice(), &[Seg::Key(key.clone())]].concat();
            !pinned.contains(&member)
        }
        _ => true,
    });
}
