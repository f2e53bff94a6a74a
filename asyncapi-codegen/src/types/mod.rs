//! The `types` module: Rust types for every payload and header schema,
//! generated through typify from the schemas the model gathered (one flat
//! set of named definitions; typify resolves `$ref` by its last segment
//! only, so every reference already points into that set by a unique name).
//!
//! Properties (and tuple positions) whose schema is a `const` or a
//! one-value `enum` become unit structs in `types::consts` that always write
//! their value and check it when reading: users never write `"ping"`.

mod compaction;
mod constructors;
mod consts;
mod fields;
mod id_fields;
mod newtypes;
mod paths;
mod rewrite;
mod strings;
mod typify_calls;
mod typify_items;

use crate::error::{Error, ErrorKind, Result};
use crate::ir::Api;
use consts::const_types;
use proc_macro2::TokenStream;
use quote::quote;
use rewrite::{Rewriter, CONST_DEFINITION, CONST_MARKER};
use typify::{TypeSpace, TypeSpaceImpl, TypeSpaceSettings};
use typify_calls::{first_line, locate_failure, read_schema, typify_call, Definition};

/// A generated `types` module and how to name each payload's type.
pub struct Types {
    /// The `types` module's items as typify wrote them (compacted),
    /// already parsed: the output splices them in rather than parsing them
    /// again.
    pub items: Vec<syn::Item>,
    /// The rest of the `types` module: constructors and `consts`, after
    /// [`Types::items`].
    pub tokens: TokenStream,
    /// Per message index: the path of its payload type inside `types`
    /// (e.g. `Ping`), or `None` when it has no payload.
    pub payloads: Vec<Option<TokenStream>>,
    /// Per message index: the field of its payload struct that holds its
    /// correlation id, where the generated code sets the id itself.
    pub id_fields: Vec<Option<syn::Ident>>,
}

/// Generates the `types` module contents for every payload and header
/// schema of `api`.
pub fn generate(api: &Api) -> Result<Types> {
    let mut rewriter = Rewriter::new();
    let mut defs = Vec::new();
    for def in &api.schemas.defs {
        let json = rewriter.definition(&def.schema, def.dialect);
        defs.push(Definition {
            location: def.location.clone(),
            name: def.name.clone(),
            schema: read_schema(&json, &def.location)?,
            json,
        });
    }
    let payload_defs: Vec<Option<String>> = api
        .messages
        .iter()
        .map(|m| m.payload_schema.map(|d| api.schemas.defs[d].name.clone()))
        .collect();

    let mut settings = TypeSpaceSettings::default();
    settings.with_derive("PartialEq".to_string());
    // Each constant's definition stands for its marker type, and so does
    // the marker schema of a constant written inline (see `CONST_DEFINITION`).
    for (index, constant) in rewriter.consts.values().enumerate() {
        let name = format!("{CONST_DEFINITION}{index}");
        let marker = format!("consts::{}", constant.name);
        settings.with_replacement(&name, &marker, [TypeSpaceImpl::Default].into_iter());
        let json = serde_json::json!({ "const": constant.value });
        defs.push(Definition {
            location: api.root.clone(),
            name,
            schema: read_schema(&json, &api.root)?,
            json,
        });
        if rewriter.inline.contains(&constant.name) {
            let inline = serde_json::json!({
                "const": constant.value,
                CONST_MARKER: constant.name,
            });
            let schema = serde_json::from_value(inline).map_err(|e| {
                Error::new(
                    ErrorKind::Schema,
                    None,
                    format!("internal: constant marker schema: {e}"),
                )
            })?;
            settings.with_conversion(schema, marker, [TypeSpaceImpl::Default].into_iter());
        }
    }

    let mut space = TypeSpace::new(&settings);
    let all = defs
        .iter()
        .map(|d| (d.name.clone(), d.schema.clone()))
        .collect::<Vec<_>>();
    typify_call(|| space.add_ref_types(all)).map_err(|reason| {
        let (location, reason) = locate_failure(&settings, &defs)
            .unwrap_or_else(|| (api.root.clone(), first_line(&reason)));
        Error::at(
            ErrorKind::Schema,
            &location,
            format!("typify cannot turn this schema into Rust types: {reason}"),
        )
        .with_hint("simplify the schema, or report it with the document attached")
    })?;

    let mut type_path = |name: &Option<String>| -> Result<Option<TokenStream>> {
        let Some(name) = name else { return Ok(None) };
        let reference = schemars::schema::Schema::new_ref(format!("#/definitions/{name}"));
        let id = typify_call(|| space.add_type(&reference)).map_err(|reason| {
            Error::new(
                ErrorKind::Schema,
                None,
                format!("internal: type `{name}` was not generated: {reason}"),
            )
        })?;
        let ty = space.get_type(&id).map_err(|e| {
            Error::new(
                ErrorKind::Schema,
                None,
                format!("internal: type `{name}`: {e}"),
            )
        })?;
        Ok(Some(ty.ident()))
    };
    let payloads = payload_defs
        .iter()
        .map(&mut type_path)
        .collect::<Result<Vec<_>>>()?;

    let typify_failed = |reason: String| {
        Error::new(
            ErrorKind::Schema,
            Some(api.root.clone()),
            format!("typify failed to write the types: {reason}"),
        )
    };
    let mut types = typify_call(|| Ok::<_, typify::Error>(space.to_stream()))
        .and_then(typify_items::items)
        .map_err(typify_failed)?;
    fields::make_distinct(&mut types);
    newtypes::compact(&mut types);
    strings::compact(&mut types);
    typify_items::parse_impls(&mut types).map_err(typify_failed)?;
    let index = id_fields::IdFields::of(&types);
    let id_fields = api
        .messages
        .iter()
        .zip(&payloads)
        .map(|(message, payload)| {
            let payload = payload.as_ref()?.to_string();
            index.id_field(message.correlation.as_ref(), &payload)
        })
        .collect();
    let constructors = constructors::constructors(&mut types);
    let consts = const_types(rewriter.consts.values());
    let mut items: Vec<syn::Item> = vec![syn::parse_quote!(
        use self::rt::serde::{Deserialize, Serialize};
    )];
    items.append(&mut types);
    let tokens = quote! {
        #constructors

        /// Types of properties whose value is fixed by the schema (`const`,
        /// or an `enum` of one value): each always writes its value, and
        /// reading checks it.
        pub mod consts {
            #consts
        }
    };
    Ok(Types {
        items,
        tokens,
        payloads,
        id_fields,
    })
}
