//! What every generated client is made of, written once: the
//! [`client_impls!`](crate::client_impls!) and [`request!`](crate::request!)
//! macros.

/// Declares a channel's `Client` and `Sender` (in the generated channel
/// module, next to its `ClientMessage` and `ServerMessage`), with everything
/// but the typed request methods, which the generated code adds to `Sender`
/// in an `impl` block of its own (through [`request!`](crate::request!)).
///
/// `connect` says how `Client::connect` finds the URL: `address` (the
/// channel's `ADDRESS` after the server URL), `parameters` (the address
/// filled in from a `&Parameters`) or `server_url` (the channel has no
/// address: the server URL as is). `subscriptions`, when given, is the
/// document's default for [`ClientConfig::or_subscriptions`](crate::client::ClientConfig::or_subscriptions).
///
/// ```ignore
/// rt::client_impls! {
///     channel: "public";
///     connect: address;
///     subscriptions: |message: &ClientMessage| match message { ... };
/// }
/// ```
#[macro_export]
macro_rules! client_impls {
    (
        channel: $id:literal;
        connect: $connect:ident;
        $(subscriptions: $subscriptions:expr;)?
    ) => {
        #[doc = concat!("A connection to channel `", $id, "`, from the client's side.")]
        ///
        /// Receive with [`Client::recv`] (or as a `Stream`); send and make requests through the
        /// [`Sender`] it dereferences to. [`Client::split`] separates the two, so that one task
        /// reads while others send.
        pub struct Client {
            sender: Sender,
            receiver: $crate::client::Receiver<ServerMessage>,
        }

        impl ::std::fmt::Debug for Client {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("Client").field("sender", &self.sender).finish_non_exhaustive()
            }
        }

        impl Client {
            $crate::__client_connect!($connect $id);

            /// Connects to exactly `url`, whatever the channel's address.
            pub async fn connect_url(
                url: &str,
                config: $crate::client::ClientConfig,
            ) -> ::std::result::Result<Self, $crate::client::Error> {
                $(
                    // The document's subscriptions, unless the config has its own.
                    let config = config.or_subscriptions($subscriptions);
                )?
                let (inner, receiver) =
                    $crate::client::connect::<ClientMessage, ServerMessage>(url, config).await?;
                ::std::result::Result::Ok(Client { sender: Sender { inner }, receiver })
            }

            /// The next message that is not an awaited reply; an `Err` for a frame that is no
            /// message (the connection goes on) or a gap (`Error::Reconnected`, with a
            /// reconnection policy), then a last `Err` saying how the client ended, then `None`.
            pub async fn recv(
                &mut self,
            ) -> ::std::option::Option<::std::result::Result<ServerMessage, $crate::client::Error>> {
                self.receiver.recv().await
            }

            /// A sender for other tasks.
            pub fn sender(&self) -> Sender {
                self.sender.clone()
            }

            /// Separates sending from receiving.
            pub fn split(self) -> (Sender, $crate::client::Receiver<ServerMessage>) {
                (self.sender, self.receiver)
            }
        }

        impl ::std::ops::Deref for Client {
            type Target = Sender;

            fn deref(&self) -> &Sender {
                &self.sender
            }
        }

        impl $crate::__private::futures_core::Stream for Client {
            type Item = ::std::result::Result<ServerMessage, $crate::client::Error>;

            fn poll_next(
                mut self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::option::Option<Self::Item>> {
                ::std::pin::Pin::new(&mut self.receiver).poll_next(cx)
            }
        }

        /// Sends messages and makes requests on a [`Client`]'s connection; cheap to clone.
        ///
        /// A request whose messages carry a correlation id allocates the id (any id in the
        /// message is replaced); its reply is the first message carrying that id, and later
        /// messages with the same id reach the receiver. A request without correlation id takes
        /// the first message of a reply type that arrives while it waits. Requests fail with
        /// `Error::Timeout` after the configured request timeout, and with
        /// `Error::UnexpectedReply` when the message carrying the id is not one of the replies.
        #[derive(Debug, Clone)]
        pub struct Sender {
            inner: $crate::client::Sender<ClientMessage, ServerMessage>,
        }

        impl Sender {
            /// Sends a message.
            pub async fn send(
                &self,
                message: impl ::std::convert::Into<ClientMessage>,
            ) -> ::std::result::Result<(), $crate::client::Error> {
                self.inner.send(&message.into()).await
            }

            /// This sender, with requests waiting `timeout` for their replies.
            pub fn with_timeout(&self, timeout: ::std::time::Duration) -> Self {
                Sender { inner: self.inner.with_timeout(timeout) }
            }

            /// Closes the connection normally (1000).
            pub async fn close(&self) -> ::std::result::Result<(), $crate::client::Error> {
                self.inner.close($crate::ws::Close::new($crate::ws::Close::NORMAL, "")).await
            }

            /// Whether the client has ended (it will not reconnect).
            pub fn is_closed(&self) -> bool {
                self.inner.is_closed()
            }

            /// Whether a connection is open now (false while reconnecting).
            pub fn is_connected(&self) -> bool {
                self.inner.is_connected()
            }

            /// Waits until the connection has ended; how it ended.
            pub async fn closed(&self) -> $crate::client::Error {
                self.inner.closed().await
            }

            /// The runtime's sender underneath.
            pub fn inner(&self) -> &$crate::client::Sender<ClientMessage, ServerMessage> {
                &self.inner
            }
        }
    };
}

/// `Client::connect` and `Client::connect_with` for
/// [`client_impls!`](crate::client_impls!).
#[doc(hidden)]
#[macro_export]
macro_rules! __client_connect {
    (address $id:literal) => {
        $crate::__client_connect!(@plain $id, ADDRESS, ", at the channel's address.");
    };
    (server_url $id:literal) => {
        $crate::__client_connect!(
            @plain $id, "", ". The channel has no address of its own: the server URL is used as is."
        );
    };
    (@plain $id:literal, $path:expr, $where:literal) => {
        #[doc = concat!("Connects to channel `", $id, "` on the server at `server_url` (`ws://` or `wss://`, e.g. one of [`SERVERS`])", $where)]
        pub async fn connect(server_url: &str) -> ::std::result::Result<Self, $crate::client::Error> {
            Self::connect_with(server_url, $crate::client::ClientConfig::default()).await
        }

        /// Like [`Client::connect`], with settings (timeouts, limits, TLS roots, reconnection).
        pub async fn connect_with(
            server_url: &str,
            config: $crate::client::ClientConfig,
        ) -> ::std::result::Result<Self, $crate::client::Error> {
            let url = $crate::client::channel_url(server_url, $path)?;
            Self::connect_url(&url, config).await
        }
    };
    (parameters $id:literal) => {
        #[doc = concat!("Connects to channel `", $id, "` on the server at `server_url` (`ws://` or `wss://`, e.g. one of [`SERVERS`]), at the channel's address. `parameters` fill in the channel's address (and the query and headers its `ws` binding describes).")]
        pub async fn connect(
            server_url: &str,
            parameters: &Parameters,
        ) -> ::std::result::Result<Self, $crate::client::Error> {
            Self::connect_with(server_url, parameters, $crate::client::ClientConfig::default()).await
        }

        /// Like [`Client::connect`], with settings (timeouts, limits, TLS roots, reconnection).
        pub async fn connect_with(
            server_url: &str,
            parameters: &Parameters,
            config: $crate::client::ClientConfig,
        ) -> ::std::result::Result<Self, $crate::client::Error> {
            let url = $crate::client::channel_url(server_url, &parameters.path())?;
            let config = parameters
                .headers()
                .into_iter()
                .fold(config, |config, (name, value)| config.with_header(name, value));
            Self::connect_url(&url, config).await
        }
    };
}

/// The body of a generated request method: sends `message` through the
/// runtime sender `inner` and waits for the reply, matched by correlation
/// id when `correlated` is `true`, else by type. The reply is one
/// `ServerMessage` variant (`Pong`), or one of several gathered in a reply
/// enum (`SubscribeReply: SubscriptionStatus | SubscriptionStatusError`).
///
/// ```ignore
/// rt::request!(self.inner, "ping", true, ClientMessage::Ping(message), Pong)
/// ```
#[macro_export]
macro_rules! request {
    ($inner:expr, $name:literal, $correlated:literal, $message:expr, $reply:ident) => {
        $inner
            .request(
                &$crate::client::RequestSpec {
                    name: $name,
                    correlated: $correlated,
                    accepts: |message: &ServerMessage| matches!(message, ServerMessage::$reply(_)),
                    reply: |message: ServerMessage| match message {
                        ServerMessage::$reply(reply) => ::std::result::Result::Ok(reply),
                        other => ::std::result::Result::Err(other),
                    },
                },
                $message,
            )
            .await
    };
    ($inner:expr, $name:literal, $correlated:literal, $message:expr, $enum:ident: $($reply:ident)|+) => {
        $inner
            .request(
                &$crate::client::RequestSpec {
                    name: $name,
                    correlated: $correlated,
                    accepts: |message: &ServerMessage| {
                        matches!(message, $(ServerMessage::$reply(_))|+)
                    },
                    reply: <$enum as ::std::convert::TryFrom<ServerMessage>>::try_from,
                },
                $message,
            )
            .await
    };
}
