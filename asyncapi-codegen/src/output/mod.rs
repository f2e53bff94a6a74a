//! The generated module as a whole: how its parts are laid out, formatting
//! (once, at the edge, with prettyplease), and writing the file.

use crate::error::{Error, ErrorKind, Result};
use crate::ir::Api;
use crate::messages::{self, doc_attrs, item_docs, MessageEnum};
use crate::names::{self, Scope};
use crate::{client, parameters, requests, security, server, types};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::HashMap;
use std::path::Path;

mod entries;
mod layout;

/// Lints the generated code must not trip in users' crates (which may deny
/// warnings): it is not theirs to fix. Written once, on the module that
/// holds everything generated.
fn lint_allows() -> TokenStream {
    quote! {
        #[allow(
            clippy::all,
            clippy::pedantic,
            clippy::nursery,
            missing_docs,
            missing_debug_implementations,
            dead_code,
            unused_imports,
            unused_qualifications,
            non_camel_case_types,
            non_snake_case,
            unreachable_patterns,
            unreachable_pub,
            unused_variables,
            elided_lifetimes_in_paths,
            rustdoc::all
        )]
    }
}

/// What to generate besides types and message enums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sides {
    /// A `Client` and `Sender` per channel.
    pub client: bool,
    /// A `Handler` trait and `Service` per channel.
    pub server: bool,
}

/// Everything the items of one channel are made from.
struct Parts<'a> {
    api: &'a Api,
    types: &'a types::Types,
    sides: Sides,
}

/// A generated module: its code, whose `CONTRACT` constant still holds
/// slots ([`crate::contract::item`]), and the texts that fill them.
pub struct Module {
    /// The code.
    pub file: syn::File,
    /// The bundled document and the docs page, as
    /// [`crate::contract::render`] writes them.
    pub contract: (String, String),
}

impl Module {
    /// The code as tokens, its contract filled in.
    pub fn into_tokens(mut self) -> TokenStream {
        let (json, html) = &self.contract;
        crate::contract::fill_tokens(&mut self.file, [json, html]);
        let file = &self.file;
        quote!(#file)
    }
}

/// The generated module's items, the contract's texts left to fill
/// ([`Module`]).
pub fn module(api: &Api, sides: Sides) -> Result<syn::File> {
    let mut types = types::generate(api)?;
    let types_items = std::mem::take(&mut types.items);
    let parts = Parts {
        api,
        types: &types,
        sides,
    };
    let types_tokens = &types.tokens;
    let mut items = vec![quote! {
        /// Rust types for the document's payload and header schemas.
        pub mod types {
            #types_tokens
        }
    }];

    let title = &api.title;
    let version = &api.version;
    let asyncapi = &api.asyncapi;
    let info_doc = doc_attrs(
        &[
            Some(format!("{title} {version}").as_str()),
            api.description.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>(),
    );
    items.push(crate::contract::item());
    items.push(quote! {
        #info_doc
        pub mod info {
            /// `info.title`
            pub const TITLE: &str = #title;
            /// `info.version`: the version of the API.
            pub const VERSION: &str = #version;
            /// The AsyncAPI version the document is written in.
            pub const ASYNCAPI: &str = #asyncapi;
        }
    });

    if !api.servers.is_empty() {
        let servers = api
            .servers
            .iter()
            .zip(server_idents(api))
            .map(|(server, ident)| {
                let url = &server.url;
                let first = format!("Server `{}`: `{url}`.", server.id);
                let doc = item_docs(Some(&first), &server.docs);
                quote! {
                    #doc
                    pub const #ident: &str = #url;
                }
            });
        items.push(quote! {
            /// The URLs of the servers the document names.
            pub mod servers {
                #(#servers)*
            }
        });
    }

    items.extend(security::module(api));

    let channels: Vec<usize> = (0..api.channels.len())
        .filter(|&c| {
            let ch = &api.channels[c];
            !ch.client_messages.is_empty() || !ch.server_messages.is_empty()
        })
        .collect();
    if channels.len() == 1 {
        items.extend(channel_items(&parts, channels[0], &quote!(self))?);
    } else if !channels.is_empty() {
        let mut scope = Scope::default();
        let mut modules = Vec::new();
        let mut exported: HashMap<String, Vec<syn::Ident>> = HashMap::new();
        for &c in &channels {
            let channel = &api.channels[c];
            let module = names::ident(&scope.claim(module_name(&channel.id)));
            let body = channel_items(&parts, c, &quote!(super::super))?;
            for item in item_names(&parts, c) {
                exported.entry(item).or_default().push(module.clone());
            }
            let doc = item_docs(Some(&channel_title(api, c)), &channel.docs);
            modules.push(quote! {
                #doc
                pub mod #module {
                    use super::super::types;
                    #(#body)*
                }
            });
        }
        items.push(quote! {
            /// The document's channels, one module each.
            pub mod channels {
                #(#modules)*
            }
        });
        let mut unique: Vec<(&String, &syn::Ident)> = exported
            .iter()
            .filter(|(_, modules)| modules.len() == 1)
            .map(|(name, modules)| (name, &modules[0]))
            .collect();
        unique.sort();
        for (name, module) in unique {
            let name = names::ident(name);
            items.push(quote!(pub use self::channels::#module::#name;));
        }
    }
    wrap(quote!(#(#items)*), types_items)
}

/// The generated items as one file: inside a private module that carries
/// the lint allows once (a file that is `include!`d cannot have inner
/// attributes, and an outer attribute on a module covers all it holds),
/// re-exported whole. Every module, that one included, imports the runtime
/// once as `rt`.
fn wrap(items: TokenStream, types_items: Vec<syn::Item>) -> Result<syn::File> {
    use syn::visit_mut::VisitMut;

    /// Adds `use ::asyncapi_runtime::__private as rt;` to every module.
    struct ImportRuntime;

    impl VisitMut for ImportRuntime {
        fn visit_item_mod_mut(&mut self, module: &mut syn::ItemMod) {
            if let Some((_, items)) = &mut module.content {
                items.insert(
                    0,
                    syn::parse_quote!(
                        use ::asyncapi_runtime::__private as rt;
                    ),
                );
            }
            syn::visit_mut::visit_item_mod_mut(self, module);
        }
    }

    let allow = lint_allows();
    let mut file: syn::File = syn::parse2(quote! {
        #allow
        mod generated {
            #items
        }
    })
    .map_err(|e| {
        Error::new(
            ErrorKind::Output,
            None,
            format!("internal: the generated code does not parse: {e}"),
        )
        .with_hint("this is a bug in asyncapi-codegen; please report it with the document")
    })?;
    splice_types(&mut file, types_items);
    ImportRuntime.visit_file_mut(&mut file);
    crate::short_paths::shorten(&mut file);
    file.items.push(syn::parse_quote! {
        #[allow(unreachable_pub)]
        pub use self::generated::*;
    });
    Ok(file)
}

/// Puts typify's items, parsed once already, at the start of the `types`
/// module (`generated::types`).
fn splice_types(file: &mut syn::File, types_items: Vec<syn::Item>) {
    let generated = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "generated" => m.content.as_mut().map(|(_, c)| c),
        _ => None,
    });
    let types = generated.and_then(|items| {
        items.iter_mut().find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, c)| c),
            _ => None,
        })
    });
    if let Some(types) = types {
        let rest = std::mem::replace(types, types_items);
        types.extend(rest);
    }
}

/// A module name for a channel id (`/` and other names without letters
/// become `root`).
fn module_name(id: &str) -> String {
    if id.chars().any(char::is_alphanumeric) {
        names::snake_name(id)
    } else {
        "root".to_string()
    }
}

fn channel_title(api: &Api, channel: usize) -> String {
    let channel = &api.channels[channel];
    match &channel.address {
        Some(address) => format!("Channel `{}` (address `{address}`).", channel.id),
        None => format!("Channel `{}`.", channel.id),
    }
}

/// The names of the items [`channel_items`] writes (that [`module`]
/// re-exports at the root where they are unique).
fn item_names(parts: &Parts<'_>, channel: usize) -> Vec<String> {
    let api = parts.api;
    let mut out: Vec<String> = messages::channel_enums(api, channel)
        .into_iter()
        .map(|(_, e)| e.name)
        .collect();
    if api.channels[channel].address.is_some() {
        out.push("ADDRESS".to_string());
    }
    out.push("SERVERS".to_string());
    out.push("Parameters".to_string());
    let mut scope = channel_scope();
    for request in requests::incoming(api, channel, &mut scope) {
        out.extend(request.reply_enum);
    }
    if parts.sides.client {
        out.extend(["Client".to_string(), "Sender".to_string()]);
    }
    if parts.sides.server {
        out.extend(["Context", "Handler", "Service", "Handle"].map(String::from));
        let ch = &api.channels[channel];
        if ch
            .server_messages
            .iter()
            .any(|&m| api.messages[m].error_frame.is_some())
        {
            out.push("ERROR_FRAME".to_string());
        }
    }
    out
}

/// The names a channel's module holds besides reply enums.
fn channel_scope() -> Scope {
    Scope::with_reserved([
        "ADDRESS",
        "SERVERS",
        "Parameters",
        "ClientMessage",
        "ServerMessage",
        "Client",
        "Sender",
        "Context",
        "Handler",
        "Service",
        "Handle",
        "ERROR_FRAME",
        "types",
        "servers",
        "info",
        "channels",
        "security",
    ])
}

/// The items of one channel: its address, servers, parameters, message
/// enums, reply enums, client and server. `root` is the path from the
/// channel's module to the generated module's root.
fn channel_items(
    parts: &Parts<'_>,
    channel: usize,
    root: &TokenStream,
) -> Result<Vec<TokenStream>> {
    let api = parts.api;
    let types_path = quote!(types);
    let mut items = Vec::new();
    let ch = &api.channels[channel];
    if let Some(address) = &ch.address {
        let doc = format!(" The channel's address: `{address}`.");
        items.push(quote! {
            #[doc = #doc]
            pub const ADDRESS: &str = #address;
        });
    }
    let servers = server_consts(api, channel);
    let servers_doc = format!(
        " The URLs of the servers channel `{}` is available on.",
        ch.id
    );
    items.push(quote! {
        #[doc = #servers_doc]
        pub const SERVERS: &[&str] = &[#(#root::servers::#servers),*];
    });
    items.push(parameters::generate(api, channel));
    for (direction, spec) in messages::channel_enums(api, channel) {
        let who = match direction {
            crate::ir::Direction::ClientToServer => "clients send",
            crate::ir::Direction::ServerToClient => "the server sends",
        };
        let summary = format!(
            "Every message {who} on channel `{}`; decode a frame with `from_json`.",
            ch.id
        );
        items.push(messages::message_enum(
            api,
            &MessageEnum {
                validated: direction == crate::ir::Direction::ClientToServer && parts.sides.server,
                ..spec
            },
            &summary,
            &types_path,
            parts.types,
        )?);
    }
    let payload_type = |m: usize| match &parts.types.payloads[m] {
        Some(path) => quote!(#types_path::#path),
        None => quote!(rt::serde_json::Value),
    };
    let mut scope = channel_scope();
    let incoming = requests::incoming(api, channel, &mut scope);
    for request in &incoming {
        items.push(requests::reply_enum(api, request, &payload_type));
    }
    let input = requests::ChannelInput {
        api,
        channel,
        incoming: &incoming,
        payload_type: &payload_type,
        has_parameters: parameters::has_parameters(api, channel),
        security: security::channel_schemes(api, channel, root),
    };
    if parts.sides.client {
        items.push(client::generate(&input));
    }
    if parts.sides.server {
        items.push(server::generate(&input));
    }
    Ok(items)
}

/// The names of the constants in `servers`, one per server in order.
fn server_idents(api: &Api) -> Vec<syn::Ident> {
    let mut scope = Scope::default();
    api.servers
        .iter()
        .map(|s| names::ident(&scope.claim(names::const_name(&s.id))))
        .collect()
}

/// The constants in `servers` of the servers a channel is available on
/// (every server, for a channel that names none).
fn server_consts(api: &Api, channel: usize) -> Vec<syn::Ident> {
    let wanted = &api.channels[channel].servers;
    api.servers
        .iter()
        .zip(server_idents(api))
        .filter(|(server, _)| wanted.is_empty() || wanted.contains(&server.id))
        .map(|(_, ident)| ident)
        .collect()
}

/// Formats the module with prettyplease under the `@generated` header.
pub fn format(source: &str, module: &Module) -> String {
    let (json, html) = &module.contract;
    let print = |file: &syn::File| layout::lay_out(&prettyplease::unparse(file));
    let body =
        crate::contract::fill_text(&print(&module.file), [json, html]).unwrap_or_else(|| {
            let mut file = module.file.clone();
            crate::contract::fill_tokens(&mut file, [json, html]);
            print(&file)
        });
    format!(
        "// @generated by asyncapi-codegen {} from `{source}`. Do not edit: change the document instead.\n\n{body}",
        env!("CARGO_PKG_VERSION"),
    )
}

/// Writes `text` to `path` unless the file already holds exactly that.
pub fn write_if_changed(path: &Path, text: &str) -> Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(ErrorKind::Output, dir, "cannot create the directory", e))?;
    }
    std::fs::write(path, text).map_err(|e| {
        Error::io(
            ErrorKind::Output,
            path,
            "cannot write the generated code",
            e,
        )
    })
}
