//! The payload field that holds a message's correlation id, where the
//! generated code can set it itself (`rt::message_impls!`'s `in field`): a
//! member of the payload struct, at the top of the payload, typed as an
//! integer (an integer id) or a string (a string id), or an `Option` of
//! one. These types write an id exactly as it reads (its canonical JSON
//! text); an id anywhere else, or of another type (`f64` writes `42.0`),
//! is written while encoding instead.

use super::fields::serde_rename;
use crate::ir::{Correlation, Step};
use std::collections::{HashMap, HashSet};

/// The `types` module's items as the search for id fields reads them,
/// indexed once (each message's search would otherwise scan every item:
/// quadratic in the document's size).
pub(super) struct IdFields<'a> {
    /// The structs, by name.
    structs: HashMap<String, &'a syn::ItemStruct>,
    /// The types `rt::pattern_string!` declares: strings.
    pattern_strings: HashSet<String>,
}

impl<'a> IdFields<'a> {
    /// The index of `items`.
    pub(super) fn of(items: &'a [syn::Item]) -> Self {
        let mut structs = HashMap::new();
        let mut pattern_strings = HashSet::new();
        for item in items {
            match item {
                syn::Item::Struct(item) => {
                    structs.insert(item.ident.to_string(), item);
                }
                syn::Item::Macro(item)
                    if item
                        .mac
                        .path
                        .segments
                        .last()
                        .is_some_and(|s| s.ident == "pattern_string") =>
                {
                    let declared = crate::names::declared_in_macro(item.mac.tokens.clone());
                    pattern_strings.extend(declared.iter().map(ToString::to_string));
                }
                _ => {}
            }
        }
        IdFields {
            structs,
            pattern_strings,
        }
    }

    /// Per message: the field of its payload struct `payload` (the type's
    /// name inside `types`) holding its correlation id, if there is one as
    /// above.
    pub(super) fn id_field(
        &self,
        correlation: Option<&Correlation>,
        payload: &str,
    ) -> Option<syn::Ident> {
        let correlation = correlation?;
        let [Step::Key(key)] = correlation.path.as_slice() else {
            return None;
        };
        let syn::Fields::Named(fields) = &self.structs.get(payload)?.fields else {
            return None;
        };
        let field = fields.named.iter().find(|field| {
            let ident = field.ident.as_ref().map(|i| i.to_string());
            let name = serde_rename(&field.attrs)
                .or_else(|| ident.map(|i| i.trim_start_matches("r#").to_owned()));
            name.as_deref() == Some(key.as_str())
        })?;
        self.holds_id(&field.ty, correlation.integer)
            .then(|| field.ident.clone())?
    }

    /// Whether a field of type `ty` holds ids of the kind (`integer` or
    /// string) and writes them as they read: such a type, a newtype of one
    /// that serializes as it (typify's constrained integers and strings,
    /// the runtime's pattern strings), or an `Option` of either.
    fn holds_id(&self, ty: &syn::Type, integer: bool) -> bool {
        let Some(mut last) = last_segment(ty) else {
            return false;
        };
        if last.ident == "Option" {
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return false;
            };
            match (args.args.len(), args.args.first()) {
                (1, Some(syn::GenericArgument::Type(inner))) => match last_segment(inner) {
                    Some(inner) => last = inner,
                    None => return false,
                },
                _ => return false,
            }
        }
        scalar(last, integer) || (last.arguments.is_none() && self.newtype(&last.ident, integer))
    }

    /// Whether `name` is a newtype that holds ids of the kind and
    /// serializes as its one field.
    fn newtype(&self, name: &syn::Ident, integer: bool) -> bool {
        let name = name.to_string();
        if !integer && self.pattern_strings.contains(&name) {
            return true;
        }
        let Some(item) = self.structs.get(&name) else {
            return false;
        };
        let syn::Fields::Unnamed(fields) = &item.fields else {
            return false;
        };
        let transparent = item.attrs.iter().any(|attr| {
            attr.path().is_ident("serde")
                && attr
                    .parse_nested_meta(|meta| {
                        if meta.path.is_ident("transparent") {
                            Err(meta.error("found"))
                        } else {
                            Ok(())
                        }
                    })
                    .is_err()
        });
        transparent
            && fields.unnamed.len() == 1
            && last_segment(&fields.unnamed[0].ty).is_some_and(|s| scalar(s, integer))
    }
}

/// Whether a path segment names an integer type (`integer`) or `String`,
/// without generic arguments.
fn scalar(segment: &syn::PathSegment, integer: bool) -> bool {
    const INTEGERS: &[&str] = &[
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
    ];
    let name = segment.ident.to_string();
    segment.arguments.is_none()
        && if integer {
            INTEGERS.contains(&name.as_str())
        } else {
            name == "String"
        }
}

/// The last segment of a type's path (`Option` of `::std::option::Option<T>`).
fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(path) if path.qself.is_none() => path.path.segments.last(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn correlation(key: &str, integer: bool) -> Correlation {
        Correlation {
            path: vec![Step::Key(key.to_owned())],
            integer,
        }
    }

    #[test]
    fn the_field_holding_the_id_is_found_by_its_json_name_and_type() {
        let file: syn::File = syn::parse_quote! {
            pub struct Ping {
                pub event: consts::EventPing,
                #[serde(skip_serializing_if = "Option::is_none")]
                pub reqid: Option<u64>,
            }
            pub struct Renamed {
                #[serde(rename = "reqID")]
                pub req_id: ::std::option::Option<i32>,
                #[serde(rename = "type")]
                pub type_: String,
            }
            pub struct Chat {
                pub id: ::std::string::String,
                pub at: f64,
                pub tag: Option<Vec<u8>>,
                pub raw: Option<Option<u64>>,
            }
            pub struct Tuple(pub u64);
            pub struct Wrapped {
                pub a: Option<ReqId>,
                pub b: RequestId,
                pub c: Opaque,
                pub d: Option<Pattern>,
            }
            #[serde(transparent)]
            pub struct ReqId(pub i64);
            #[serde(transparent)]
            pub struct RequestId(String);
            pub struct Opaque(pub u64);
            rt::pattern_string! { pub struct Pattern("^a"); }
        };
        let index = IdFields::of(&file.items);
        let found = |key: &str, integer: bool, ty: &str| {
            index
                .id_field(Some(&correlation(key, integer)), ty)
                .map(|i| i.to_string())
        };
        assert_eq!(found("reqid", true, "Ping").as_deref(), Some("reqid"));
        assert_eq!(found("reqID", true, "Renamed").as_deref(), Some("req_id"));
        assert_eq!(found("id", false, "Chat").as_deref(), Some("id"));
        // The wrong kind, a type that writes ids differently, containers,
        // unknown members and payloads that are not structs: none.
        assert_eq!(found("reqid", false, "Ping"), None);
        assert_eq!(found("id", true, "Chat"), None);
        assert_eq!(found("at", true, "Chat"), None);
        assert_eq!(found("tag", true, "Chat"), None);
        assert_eq!(found("raw", true, "Chat"), None);
        assert_eq!(found("req_id", true, "Renamed"), None);
        assert_eq!(found("type", false, "Renamed").as_deref(), Some("type_"));
        assert_eq!(found("0", true, "Tuple"), None);
        assert_eq!(found("reqid", true, "Missing"), None);
        // Newtypes that serialize as the integer or string they hold.
        assert_eq!(found("a", true, "Wrapped").as_deref(), Some("a"));
        assert_eq!(found("a", false, "Wrapped"), None);
        assert_eq!(found("b", false, "Wrapped").as_deref(), Some("b"));
        assert_eq!(found("c", true, "Wrapped"), None, "not transparent");
        assert_eq!(found("d", false, "Wrapped").as_deref(), Some("d"));
        assert_eq!(found("d", true, "Wrapped"), None);
        let nested = Correlation {
            path: vec![Step::Key("meta".into()), Step::Key("id".into())],
            integer: true,
        };
        assert_eq!(index.id_field(Some(&nested), "Ping"), None);
        assert_eq!(index.id_field(None, "Ping"), None);
    }
}
