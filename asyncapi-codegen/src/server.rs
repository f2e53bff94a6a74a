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
    let rt = quote!(::asyncapi_runtime::__private::server);
    let api = input.api;
    let channel = &api.channels[input.channel];
    let id = &channel.id;
    let handler_error = quote!(#rt::HandlerError);
    let future = |output: TokenStream| quote!(impl ::std::future::Future<Output = #output> + ::std::marker::Send);

    let mut methods = Vec::new();
    let mut arms = Vec::new();
    for incoming in input.incoming {
        let method = names::ident(&incoming.method);
        let variant = names::ident(&incoming.variant);
        let message_type = (input.payload_type)(incoming.message);
        let message = &api.messages[incoming.message];
        let mut paragraphs: Vec<String> = vec![format!("Handles `{}`.", message.key)];
        paragraphs.extend(incoming.doc_paragraphs().iter().map(|s| s.to_string()));
        paragraphs.extend(message.docs.paragraphs().iter().map(|s| s.to_string()));
        let output = match incoming.reply(input.payload_type) {
            Some(reply) => {
                paragraphs.push(format!(
                    "Return its reply ({}): the runtime sends it with the request's \
                     correlation id copied into it. `Replies` holds one (`reply.into()`), \
                     none or several. To send a reply before other messages (a status \
                     before a feed's first frame), send it with `ctx.reply` and return \
                     `Replies::none()`.",
                    incoming.reply_names(api)
                ));
                let into = &reply.to_server_message;
                let reply = &reply.ty;
                arms.push(quote! {
                    ClientMessage::#variant(message) => self.handler.#method(ctx, message).await.map(|replies| {
                        replies.into_iter().map(#into).collect()
                    })
                });
                quote!(::std::result::Result<#rt::Replies<#reply>, #handler_error>)
            }
            None => {
                arms.push(quote! {
                    ClientMessage::#variant(message) => self
                        .handler
                        .#method(ctx, message)
                        .await
                        .map(|()| ::std::vec::Vec::new())
                });
                quote!(::std::result::Result<(), #handler_error>)
            }
        };
        let doc = doc_attrs(&paragraphs.iter().map(String::as_str).collect::<Vec<_>>());
        let returns = future(output);
        methods.push(quote! {
            #doc
            fn #method(&self, ctx: &Context, message: #message_type) -> #returns;
        });
    }

    let handler_doc = doc_attrs(&[
        &format!("The server side of channel `{id}`: one method per message clients send."),
        "Implement it (methods may be written as `async fn`), wrap it in [`Service`] and serve \
         that with `asyncapi_runtime::server::Server`. Messages of one connection are handled \
         one at a time, in order; a handler that takes long should spawn. Push messages at any \
         time through the [`Context`] (clone it into tasks).",
    ]);
    let unit_result = quote!(::std::result::Result<(), #handler_error>);
    let on_connect = future(unit_result);
    let on_disconnect = future(quote!(()));
    let vec_result = quote!(::std::result::Result<::std::vec::Vec<ServerMessage>, #handler_error>);
    let handle_future = future(vec_result);
    let on_connect_future = future(quote!(::std::result::Result<(), #handler_error>));
    let address = match &channel.address {
        Some(address) => quote!(::std::option::Option::Some(#address)),
        None => quote!(::std::option::Option::None),
    };
    let parse_params = if input.has_parameters {
        quote!(Parameters::from_path(params))
    } else {
        quote! {
            let _ = params;
            ::std::result::Result::Ok(())
        }
    };
    let context_doc = doc_attrs(&[&format!(
        "A connection to channel `{id}` as its handlers see it: its id, peer address and \
         parameters; sending to it at any time; groups and broadcasts."
    )]);
    quote! {
        #context_doc
        pub type Context = #rt::Context<ServerMessage, Parameters>;

        #handler_doc
        pub trait Handler: ::std::marker::Send + ::std::marker::Sync + 'static {
            /// A client connected (e.g. greet it, or start pushing data). An error closes
            /// the connection (1011, or the error's own close frame).
            fn on_connect(&self, ctx: &Context) -> #on_connect {
                let _ = ctx;
                async { ::std::result::Result::Ok(()) }
            }

            /// A client's connection ended.
            fn on_disconnect(&self, ctx: &Context, reason: &#rt::Disconnect) -> #on_disconnect {
                let _ = (ctx, reason);
                async {}
            }

            /// The message to answer a frame with that is no message of the channel, a
            /// binary frame, or a message whose handler failed (default: none). The
            /// runtime copies the frame's correlation id into it.
            fn error_reply(&self, ctx: &Context, error: &#rt::FrameError) -> ::std::option::Option<ServerMessage> {
                let _ = (ctx, error);
                ::std::option::Option::None
            }

            #(#methods)*
        }

        /// A [`Handler`] as the runtime's server serves it.
        pub struct Service<H> {
            handler: ::std::sync::Arc<H>,
        }

        impl<H> ::std::clone::Clone for Service<H> {
            fn clone(&self) -> Self {
                Service { handler: self.handler.clone() }
            }
        }

        impl<H> ::std::fmt::Debug for Service<H> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("Service").field("address", &#address).finish_non_exhaustive()
            }
        }

        impl<H: Handler> Service<H> {
            /// Serves `handler`.
            pub fn new(handler: H) -> Self {
                Service { handler: ::std::sync::Arc::new(handler) }
            }

            /// Serves a handler shared with other code.
            pub fn from_arc(handler: ::std::sync::Arc<H>) -> Self {
                Service { handler }
            }

            /// The handler.
            pub fn handler(&self) -> &::std::sync::Arc<H> {
                &self.handler
            }
        }

        impl<H: Handler> #rt::Service for Service<H> {
            type Incoming = ClientMessage;
            type Outgoing = ServerMessage;
            type Params = Parameters;

            fn address(&self) -> ::std::option::Option<&'static str> {
                #address
            }

            fn parse_params(&self, params: &#rt::PathParams) -> ::std::result::Result<Parameters, ::std::string::String> {
                #parse_params
            }

            fn on_connect(&self, ctx: &Context) -> #on_connect_future {
                self.handler.on_connect(ctx)
            }

            fn on_disconnect(&self, ctx: &Context, reason: &#rt::Disconnect) -> #on_disconnect {
                self.handler.on_disconnect(ctx, reason)
            }

            fn handle(&self, ctx: &Context, message: ClientMessage) -> #handle_future {
                async move {
                    match message {
                        #(#arms,)*
                    }
                }
            }

            fn error_reply(&self, ctx: &Context, error: &#rt::FrameError) -> ::std::option::Option<ServerMessage> {
                self.handler.error_reply(ctx, error)
            }
        }
    }
}
