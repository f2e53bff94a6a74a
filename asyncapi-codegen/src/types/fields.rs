//! Distinct field names: JSON properties whose names differ only by case
//! or punctuation (`e` and `E`, both in every frame of an exchange's trade
//! stream) become one Rust name in typify's output, which then does not
//! compile. The second and later of such fields get a numbered name (`e_2`)
//! and keep their JSON name through their `#[serde(rename)]`.

use crate::names::{self, Scope};

/// Renames the fields of `file`'s structs that share a name, keeping the
/// first of each name (or the one whose JSON name is the Rust name).
pub(super) fn make_distinct(items: &mut [syn::Item]) {
    for item in items {
        let syn::Item::Struct(item) = item else {
            continue;
        };
        let syn::Fields::Named(fields) = &mut item.fields else {
            continue;
        };
        let idents: Vec<String> = fields
            .named
            .iter()
            .filter_map(|f| f.ident.as_ref().map(ToString::to_string))
            .collect();
        let mut scope = Scope::with_reserved(idents.iter().map(String::as_str));
        let mut kept: Vec<&str> = Vec::new();
        // The field keeping each shared name: the first not renamed by
        // serde (its JSON name is the Rust name), else the first.
        for (i, ident) in idents.iter().enumerate() {
            if idents.iter().filter(|other| *other == ident).count() < 2
                || kept.contains(&ident.as_str())
            {
                continue;
            }
            let keeper = idents
                .iter()
                .enumerate()
                .filter(|(_, other)| *other == ident)
                .map(|(j, _)| j)
                .find(|&j| json_name(&fields.named[j]).is_none())
                .unwrap_or(i);
            kept.push(ident);
            for (j, field) in fields.named.iter_mut().enumerate() {
                if j == keeper || idents[j] != *ident {
                    continue;
                }
                let fresh = scope.claim(ident.clone());
                let wire = json_name(field).unwrap_or_else(|| ident.clone());
                let note = format!(" `{wire}` in JSON (the field `{ident}` is another property).");
                let after_docs = field
                    .attrs
                    .iter()
                    .rposition(|a| a.path().is_ident("doc"))
                    .map_or(0, |i| i + 1);
                field
                    .attrs
                    .insert(after_docs, syn::parse_quote!(#[doc = #note]));
                field.ident = Some(names::ident(&fresh));
            }
        }
    }
}

/// The JSON name a field's `#[serde(rename = "...")]` gives it, if any.
fn json_name(field: &syn::Field) -> Option<String> {
    serde_rename(&field.attrs)
}

/// The value of the first `#[serde(rename = "...")]` among `attrs`.
pub(super) fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    for attr in attrs {
        if !attr.path().is_ident("serde") {
            continue;
        }
        let mut found = None;
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                found = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                // Skip the value of other `key = value` items.
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
        if found.is_some() {
            return found;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    #[test]
    fn fields_differing_by_case_get_distinct_names() {
        let mut file: syn::File = syn::parse_quote! {
            pub struct Trade {
                #[serde(rename = "E")]
                pub e: i64,
                pub e: String,
                #[serde(rename = "S", skip_serializing_if = "Option::is_none")]
                pub s: Option<String>,
                #[serde(rename = "s_")]
                pub s: Option<String>,
                pub e_2: u8,
            }
        };
        make_distinct(&mut file.items);
        let text = file.to_token_stream().to_string();
        assert!(text.contains("pub e_3 : i64"), "{text}");
        assert!(text.contains("pub e : String"), "{text}");
        assert!(text.contains("pub s : Option < String >"), "{text}");
        assert!(text.contains("pub s_2 : Option < String >"), "{text}");
        assert!(
            text.contains("` E ` in JSON") || text.contains("`E` in JSON"),
            "{text}"
        );
    }
}
