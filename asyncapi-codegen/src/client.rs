//! The generated client of a channel: `Client` (connect, receive) and
//! `Sender` (send, one typed method per request), over the runtime's
//! `client` module.

use crate::ir::{Direction, SubscriptionRole};
use crate::messages::doc_attrs;
use crate::names;
use crate::requests::ChannelInput;
use proc_macro2::TokenStream;
use quote::quote;

/// The `Client` and `Sender` of a channel.
pub fn generate(input: &ChannelInput<'_>) -> TokenStream {
    let api = input.api;
    let channel = &api.channels[input.channel];
    let id = &channel.id;

    let requests: Vec<TokenStream> = input
        .incoming
        .iter()
        .filter_map(|request| {
            let reply = request.reply(input.payload_type)?;
            let method = names::ident(&request.method);
            let variant = names::ident(&request.variant);
            let message_type = (input.payload_type)(request.message);
            let key = &api.messages[request.message].key;
            let name = request.method.as_str();
            let how = if request.correlated {
                "matched by correlation id"
            } else {
                "the first of its type to arrive"
            };
            let mut paragraphs: Vec<String> = vec![format!(
                "Sends `{key}` and waits for its reply ({}, {how}).",
                request.reply_names(api)
            )];
            paragraphs.extend(request.doc_paragraphs().iter().map(|s| s.to_string()));
            let doc = doc_attrs(&paragraphs.iter().map(String::as_str).collect::<Vec<_>>());
            let correlated = request.correlated;
            let ty = &reply.ty;
            let replies = &reply.request_macro;
            Some(quote! {
                #doc
                pub async fn #method(&self, message: #message_type) -> Result<#ty, rt::client::Error> {
                    rt::request!(self.inner, #name, #correlated, ClientMessage::#variant(message), #replies)
                }
            })
        })
        .collect();

    // The messages that start and stop feeds, re-sent after a reconnection
    // (`x-asyncapi-rs-subscription` on their operations).
    let marks: Vec<TokenStream> = input
        .incoming
        .iter()
        .filter_map(|incoming| {
            let mark = api.operations.iter().find_map(|op| {
                let ours = op.channel == input.channel
                    && op.direction == Direction::ClientToServer
                    && op.messages.contains(&incoming.message);
                op.subscription.as_ref().filter(|_| ours)
            })?;
            let variant = names::ident(&incoming.variant);
            let role = match mark.role {
                SubscriptionRole::Start => quote!(start),
                SubscriptionRole::Stop => quote!(stop),
            };
            let key = &mark.key;
            Some(quote! {
                ClientMessage::#variant(_) => Some(rt::client::Subscription::#role(&[#(#key),*])),
            })
        })
        .collect();
    let subscriptions = if marks.is_empty() {
        quote!()
    } else {
        quote! {
            subscriptions: |message: &ClientMessage| match message {
                #(#marks)*
                _ => None,
            };
        }
    };
    let connect = if input.has_parameters {
        quote!(parameters)
    } else if channel.address.is_some() {
        quote!(address)
    } else {
        quote!(server_url)
    };
    let requests = if requests.is_empty() {
        quote!()
    } else {
        quote! {
            impl Sender {
                #(#requests)*
            }
        }
    };
    quote! {
        rt::client_impls! {
            channel: #id;
            connect: #connect;
            #subscriptions
        }

        #requests
    }
}
