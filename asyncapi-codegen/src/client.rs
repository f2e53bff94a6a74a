//! The generated client of a channel: `Client` (connect, receive) and
//! `Sender` (send, one typed method per request), over the runtime's
//! `client` module.

use crate::messages::doc_attrs;
use crate::names;
use crate::requests::ChannelInput;
use proc_macro2::TokenStream;
use quote::quote;

/// The `Client` and `Sender` of a channel.
pub fn generate(input: &ChannelInput<'_>) -> TokenStream {
    let rt = quote!(::asyncapi_runtime::__private);
    let api = input.api;
    let channel = &api.channels[input.channel];
    let id = &channel.id;
    let error = quote!(#rt::client::Error);
    let result = |ty: TokenStream| quote!(::std::result::Result<#ty, #error>);

    let requests = input.incoming.iter().filter_map(|request| {
        let reply = request.reply(input.payload_type)?;
        let method = names::ident(&request.method);
        let variant = names::ident(&request.variant);
        let message_type = (input.payload_type)(request.message);
        let key = &api.messages[request.message].key;
        let name = request.method.as_str();
        let mut paragraphs: Vec<String> = vec![format!(
            "Sends `{key}` and waits for its reply ({}).",
            request.reply_names(api)
        )];
        paragraphs.extend(request.doc_paragraphs().iter().map(|s| s.to_string()));
        paragraphs.push(if request.correlated {
            "The reply is the first message carrying the request's correlation id, which is \
             allocated here (any id in `message` is replaced); later messages with the same id \
             reach the receiver. Fails with `Error::Timeout` after the configured request \
             timeout, and with `Error::UnexpectedReply` when the message carrying the id is not \
             one of the replies."
                .to_string()
        } else {
            "The messages carry no correlation id: the reply is the first message of a reply \
             type that arrives while the request waits."
                .to_string()
        });
        let doc = doc_attrs(&paragraphs.iter().map(String::as_str).collect::<Vec<_>>());
        let (take, is_reply) = (&reply.take, &reply.is_reply);
        let correlated = request.correlated;
        let returns = result(reply.ty.clone());
        Some(quote! {
            #doc
            pub async fn #method(&self, message: #message_type) -> #returns {
                self.inner
                    .request(
                        &#rt::client::RequestSpec {
                            name: #name,
                            correlated: #correlated,
                            accepts: #is_reply,
                            reply: #take,
                        },
                        ClientMessage::#variant(message),
                    )
                    .await
            }
        })
    });

    let (params_arg, params_doc, path) = if input.has_parameters {
        (
            quote!(parameters: &Parameters,),
            "`parameters` fill in the channel's address.",
            quote!(&parameters.path()),
        )
    } else if channel.address.is_some() {
        (quote!(), "", quote!(ADDRESS))
    } else {
        // No address: the server URL is the channel's.
        (
            quote!(),
            "The channel has no address of its own: the server URL is used as is.",
            quote!(""),
        )
    };
    let params_pass = if input.has_parameters {
        quote!(parameters,)
    } else {
        quote!()
    };
    let connect_doc = doc_attrs(&[&format!(
        "Connects to channel `{id}` on the server at `server_url` (`ws://` or `wss://`, e.g. one of [`SERVERS`]), at the channel's address. {params_doc}"
    )]);
    let client_doc = doc_attrs(&[
        &format!("A connection to channel `{id}`, from the client's side."),
        "Receive with [`Client::recv`] (or as a `Stream`); send and make requests through the \
         [`Sender`] it dereferences to. [`Client::split`] separates the two, so that one task \
         reads while others send.",
    ]);
    let ok_self = result(quote!(Self));
    let ok_unit = result(quote!(()));
    quote! {
        #client_doc
        pub struct Client {
            sender: Sender,
            receiver: #rt::client::Receiver<ServerMessage>,
        }

        impl ::std::fmt::Debug for Client {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("Client").field("sender", &self.sender).finish_non_exhaustive()
            }
        }

        impl Client {
            #connect_doc
            pub async fn connect(server_url: &str, #params_arg) -> #ok_self {
                Self::connect_with(server_url, #params_pass #rt::client::ClientConfig::default()).await
            }

            /// Like [`Client::connect`], with settings (timeouts, limits, TLS roots).
            pub async fn connect_with(
                server_url: &str,
                #params_arg
                config: #rt::client::ClientConfig,
            ) -> #ok_self {
                let url = #rt::client::channel_url(server_url, #path)?;
                Self::connect_url(&url, config).await
            }

            /// Connects to exactly `url`, whatever the channel's address.
            pub async fn connect_url(url: &str, config: #rt::client::ClientConfig) -> #ok_self {
                let (inner, receiver) =
                    #rt::client::connect::<ClientMessage, ServerMessage>(url, config).await?;
                ::std::result::Result::Ok(Client { sender: Sender { inner }, receiver })
            }

            /// The next message that is not an awaited reply; an `Err` for a frame that is no
            /// message (the connection goes on), then a last `Err` saying how the connection
            /// ended, then `None`.
            pub async fn recv(&mut self) -> ::std::option::Option<::std::result::Result<ServerMessage, #error>> {
                self.receiver.recv().await
            }

            /// A sender for other tasks.
            pub fn sender(&self) -> Sender {
                self.sender.clone()
            }

            /// Separates sending from receiving.
            pub fn split(self) -> (Sender, #rt::client::Receiver<ServerMessage>) {
                (self.sender, self.receiver)
            }
        }

        impl ::std::ops::Deref for Client {
            type Target = Sender;

            fn deref(&self) -> &Sender {
                &self.sender
            }
        }

        impl #rt::futures_core::Stream for Client {
            type Item = ::std::result::Result<ServerMessage, #error>;

            fn poll_next(
                mut self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::option::Option<Self::Item>> {
                ::std::pin::Pin::new(&mut self.receiver).poll_next(cx)
            }
        }

        /// Sends messages and makes requests on a [`Client`]'s connection; cheap to clone.
        #[derive(Debug, Clone)]
        pub struct Sender {
            inner: #rt::client::Sender<ClientMessage, ServerMessage>,
        }

        impl Sender {
            /// Sends a message.
            pub async fn send(&self, message: impl ::std::convert::Into<ClientMessage>) -> #ok_unit {
                self.inner.send(&message.into()).await
            }

            #(#requests)*

            /// This sender, with requests waiting `timeout` for their replies.
            pub fn with_timeout(&self, timeout: ::std::time::Duration) -> Self {
                Sender { inner: self.inner.with_timeout(timeout) }
            }

            /// Closes the connection normally (1000).
            pub async fn close(&self) -> #ok_unit {
                self.inner.close(#rt::ws::Close::new(#rt::ws::Close::NORMAL, "")).await
            }

            /// Whether the connection has ended.
            pub fn is_closed(&self) -> bool {
                self.inner.is_closed()
            }

            /// Waits until the connection has ended; how it ended.
            pub async fn closed(&self) -> #error {
                self.inner.closed().await
            }

            /// The runtime's sender underneath.
            pub fn inner(&self) -> &#rt::client::Sender<ClientMessage, ServerMessage> {
                &self.inner
            }
        }
    }
}
