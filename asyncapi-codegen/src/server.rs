//! The generated server side of a channel: the `Handler` trait users
//! implement (one async method per message clients send, hooks for connect,
//! disconnect and errors) and the `Service` that lets the runtime's
//! `Server` drive it.

use crate::messages::doc_attrs;
use crate::names;
use crate::requests::ChannelInput;
use proc_macro2::TokenStream;
use quote::quote;

/// `Context`, `Handler` and `Service` of a channel.
pub fn generate(input: &ChannelInput<'_>) -> TokenStream {
    let rt = quote!(rt::server);
    let api = input.api;
    let channel = &api.channels[input.channel];
    let id = &channel.id;
    let secured = !input.security.is_empty();
    // A secured channel's handlers see the identity and state the handler
    // chooses; an open channel's `Context` is as it always was.
    let ctx = if secured {
        quote!(Context<Self::Identity, Self::State>)
    } else {
        quote!(Context)
    };
    let handler_error = quote!(#rt::HandlerError);
    let future = |output: TokenStream| quote!(impl ::std::future::Future<Output = #output> + ::std::marker::Send);

    let mut methods = Vec::new();
    let mut arms = Vec::new();
    for incoming in input.incoming {
        let method = names::ident(&incoming.method);
        let variant = names::ident(&incoming.variant);
        let message_type = (input.payload_type)(incoming.message);
        let message = &api.messages[incoming.message];
        let reply = incoming.reply(input.payload_type);
        let first = match &reply {
            Some(_) => format!(
                "Handles `{}` and returns its reply ({}).",
                message.key,
                incoming.reply_names(api)
            ),
            None => format!("Handles `{}`.", message.key),
        };
        let mut paragraphs: Vec<String> = vec![first];
        paragraphs.extend(incoming.doc_paragraphs().iter().map(|s| s.to_string()));
        let output = match reply {
            Some(reply) => {
                let into = &reply.to_server_message;
                let reply = &reply.ty;
                arms.push(quote!(#variant => #method(#into);));
                quote!(::std::result::Result<#rt::Replies<#reply>, #handler_error>)
            }
            None => {
                arms.push(quote!(#variant => #method;));
                quote!(::std::result::Result<(), #handler_error>)
            }
        };
        let doc = doc_attrs(&paragraphs.iter().map(String::as_str).collect::<Vec<_>>());
        let returns = future(output);
        methods.push(quote! {
            #doc
            fn #method(&self, ctx: &#ctx, message: #message_type) -> #returns;
        });
    }

    let mut handler_paragraphs = vec![
        format!("The server side of channel `{id}`: one method per message clients send."),
        "Implement it (methods may be written as `async fn`), wrap it in [`Service`] and serve \
         that with `asyncapi_runtime::server::Server`. Messages of one connection are handled \
         one at a time, in order; a handler that takes long should spawn. Push messages at any \
         time through the [`Context`] (clone it into tasks)."
            .to_string(),
    ];
    if input.incoming.iter().any(|i| !i.replies.is_empty()) {
        handler_paragraphs.push(
            "The methods of requests return their replies: the runtime sends each with the \
             request's correlation id copied into it. `Replies` holds one (`reply.into()`), none \
             or several. To send a reply before other messages (a status before a feed's first \
             frame), send it with `ctx.reply` and return `Replies::none()`."
                .to_string(),
        );
    }
    let handler_doc = doc_attrs(
        &handler_paragraphs
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let unit_result = quote!(::std::result::Result<(), #handler_error>);
    let on_connect = future(unit_result);
    let on_disconnect = future(quote!(()));
    let address = match &channel.address {
        Some(address) => quote!(::std::option::Option::Some(#address)),
        // Typed: the `Debug` impl's `.field("address", &None)` needs it.
        None => quote!(::std::option::Option::<&'static str>::None),
    };
    let params = if input.has_parameters {
        quote!(parsed)
    } else {
        quote!(none)
    };
    let (error_frame, error_reply) = error_reply(input, &ctx);
    let context_doc = doc_attrs(&[&format!(
        "A connection to channel `{id}` as its handlers see it: its id, peer address and \
         parameters; sending to it at any time; groups and broadcasts."
    )]);
    let context = if secured {
        quote! {
            #context_doc
            ///
            /// `I` is who the client is (what [`Handler::authenticate`] returned), `S` the
            /// connection's own state: the handler's `Identity` and `State`.
            pub type Context<I = (), S = ()> = #rt::Context<ServerMessage, Parameters, I, S>;
        }
    } else {
        quote! {
            #context_doc
            pub type Context = #rt::Context<ServerMessage, Parameters>;
        }
    };
    let schemes = &input.security;
    let (auth_items, security_line) = if secured {
        let names: Vec<String> = api
            .channel_security(input.channel)
            .iter()
            .map(|s| format!("`{}`", s.id))
            .collect();
        let auth_doc = doc_attrs(&[
            &format!(
                "Decides a client's handshake: who it is, or why it is refused (a 401 or 403 \
                 before the upgrade). Any of the schemes {} admits; `credential` is the first \
                 of them the request carries (a request that carries none is refused with 401 \
                 before this is called).",
                names.join(", ")
            ),
            "The handshake has the path, query, headers and peer address; `params` the \
             channel's parameters, checked already.",
        ]);
        let returns = future(quote!(::std::result::Result<Self::Identity, #rt::Refusal>));
        (
            quote! {
                /// Who a client is, once authenticated: every handler sees it as
                /// `ctx.identity()`.
                type Identity: ::std::marker::Send + ::std::marker::Sync + 'static;

                /// The state of one connection, made with `Default` when it opens: every
                /// handler sees it as `ctx.state()` (use interior mutability).
                type State: ::std::default::Default + ::std::marker::Send + ::std::marker::Sync + 'static;

                #auth_doc
                fn authenticate(
                    &self,
                    handshake: &#rt::Handshake<'_>,
                    params: &Parameters,
                    credential: rt::security::Credential<'_>,
                ) -> #returns;
            },
            quote!(security: [#(#schemes),*];),
        )
    } else {
        (quote!(), quote!())
    };
    quote! {
        #error_frame

        #context

        #handler_doc
        pub trait Handler: ::std::marker::Send + ::std::marker::Sync + 'static {
            #auth_items

            /// A client connected (e.g. greet it, or start pushing data). An error closes
            /// the connection (1011, or the error's own close frame).
            fn on_connect(&self, ctx: &#ctx) -> #on_connect {
                let _ = ctx;
                async { ::std::result::Result::Ok(()) }
            }

            /// A client's connection ended.
            fn on_disconnect(&self, ctx: &#ctx, reason: &#rt::Disconnect) -> #on_disconnect {
                let _ = (ctx, reason);
                async {}
            }

            #error_reply

            #(#methods)*
        }

        rt::service_impls! {
            address: #address;
            #security_line
            params: #params;
            #(#arms)*
        }
    }
}

/// The `ERROR_FRAME` constant of a channel whose server messages include
/// one marked `x-asyncapi-rs-error`, and the `error_reply` method of its
/// `Handler` (building that message, or by default none).
fn error_reply(input: &ChannelInput<'_>, ctx: &TokenStream) -> (TokenStream, TokenStream) {
    let api = input.api;
    let marked = api.channels[input.channel]
        .server_messages
        .iter()
        .find_map(|&m| Some((&api.messages[m].key, api.messages[m].error_frame.as_ref()?)));
    let Some((key, frame)) = marked else {
        let method = quote! {
            /// The message to answer a frame with that is not JSON, no message of the
            /// channel, breaks its message's schema, or whose handler failed (default:
            /// none; the document marks no error message). The runtime copies the
            /// frame's correlation id into it.
            fn error_reply(&self, ctx: &#ctx, error: &rt::server::FrameError) -> ::std::option::Option<ServerMessage> {
                let _ = (ctx, error);
                ::std::option::Option::None
            }
        };
        return (TokenStream::new(), method);
    };
    let constants = frame.constants.iter().map(|(pointer, value)| {
        let json = value.to_string();
        quote!((#pointer, #json))
    });
    let code = &frame.code;
    let option = |place: &Option<String>| match place {
        Some(pointer) => quote!(::std::option::Option::Some(#pointer)),
        None => quote!(::std::option::Option::None),
    };
    let message = option(&frame.message);
    let errors = option(&frame.errors);
    let codes = frame
        .codes
        .iter()
        .map(|(runtime, wire)| quote!((#runtime, #wire)));
    let mapped: Vec<&str> = frame.codes.iter().map(|(r, _)| r.as_str()).collect();
    let const_doc = doc_attrs(&[&format!(
        "How the server answers a frame it does not handle: with message `{key}` \
         (`x-asyncapi-rs-error`), for the codes {}.",
        mapped.join(", ")
    )]);
    let method_doc = doc_attrs(&[&format!(
        "The message to answer a frame with that is not JSON, no message of the channel, \
         breaks its message's schema, or whose handler failed: by default `{key}`, built by \
         [`ERROR_FRAME`] (with every violation's place), for the codes {}. The runtime copies \
         the frame's correlation id into it.",
        mapped.join(", ")
    )]);
    let constant = quote! {
        #const_doc
        pub const ERROR_FRAME: rt::server::ErrorFrame = rt::server::ErrorFrame {
            constants: &[#(#constants),*],
            code: #code,
            message: #message,
            errors: #errors,
            codes: &[#(#codes),*],
        };
    };
    let method = quote! {
        #method_doc
        fn error_reply(&self, ctx: &#ctx, error: &rt::server::FrameError) -> ::std::option::Option<ServerMessage> {
            let _ = ctx;
            ERROR_FRAME.reply(error)
        }
    };
    (constant, method)
}
