//! What every generated server side is made of, written once: the
//! [`service_impls!`](crate::service_impls!) macro.

/// Declares a channel's `Service<H>` (in the generated channel module, next
/// to its `Handler` trait, `Context`, `ClientMessage` and `ServerMessage`):
/// what the runtime's [`Server`](crate::server::Server) serves, handing each
/// message clients send to its `Handler` method.
///
/// `address` is the channel's address (`None` when it has none); `params`
/// is `none` (the channel has no parameters) or `parsed` (by
/// `Parameters::from_path`); `security`, for a secured channel, lists the
/// schemes that admit to it (the `Handler` then has `Identity`, `State` and
/// `authenticate`; without it, the channel is open and its connections'
/// identity and state are `()`). Each request line names the `ClientMessage`
/// variant, the handler method, and, when the method returns replies, how a
/// reply becomes a `ServerMessage`.
///
/// ```ignore
/// rt::service_impls! {
///     address: ::std::option::Option::Some("/");
///     params: none;
///     Ping => ping(ServerMessage::Pong);
///     Subscribe => subscribe(ServerMessage::from);
///     Heartbeat => heartbeat;
/// }
/// ```
#[macro_export]
macro_rules! service_impls {
    (
        address: $address:expr;
        $( security: [ $( $scheme:path ),* $(,)? ]; )?
        params: $params:ident;
        $( $variant:ident => $method:ident $(($into:expr))?; )*
    ) => {
        /// The channel's connections and groups, for sending its
        /// `ServerMessage`s from anywhere ([`Service::handle`], `ctx.channel()`).
        pub type Handle = $crate::server::ChannelHandle<ServerMessage>;

        /// A [`Handler`] as the runtime's server serves it, with the
        /// channel's connections and groups ([`Handle`]).
        pub struct Service<H> {
            handler: ::std::sync::Arc<H>,
            channel: Handle,
        }

        impl<H> ::std::clone::Clone for Service<H> {
            fn clone(&self) -> Self {
                Service { handler: self.handler.clone(), channel: self.channel.clone() }
            }
        }

        impl<H> ::std::fmt::Debug for Service<H> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let address: ::std::option::Option<&str> = $address;
                f.debug_struct("Service").field("address", &address).finish_non_exhaustive()
            }
        }

        impl<H: Handler> Service<H> {
            /// Serves `handler`.
            pub fn new(handler: H) -> Self {
                Self::from_arc(::std::sync::Arc::new(handler))
            }

            /// Serves a handler shared with other code.
            pub fn from_arc(handler: ::std::sync::Arc<H>) -> Self {
                Service { handler, channel: Handle::new() }
            }

            /// The channel's connections and groups: send to them from
            /// anywhere (a task, an HTTP handler), before or while the server
            /// runs. Cheap to clone.
            pub fn handle(&self) -> Handle {
                self.channel.clone()
            }

            /// The handler.
            pub fn handler(&self) -> &::std::sync::Arc<H> {
                &self.handler
            }
        }

        impl<H: Handler> $crate::server::Service for Service<H> {
            type Incoming = ClientMessage;
            type Outgoing = ServerMessage;
            type Params = Parameters;
            $crate::__service_auth!($( [ $( $scheme ),* ] )?);

            fn address(&self) -> ::std::option::Option<&'static str> {
                $address
            }

            fn channel(&self) -> &Handle {
                &self.channel
            }

            fn parse_params(
                &self,
                params: &$crate::server::PathParams,
            ) -> ::std::result::Result<Parameters, ::std::string::String> {
                $crate::__service_params!($params, params)
            }

            fn on_connect(
                &self,
                ctx: &$crate::server::Ctx<Self>,
            ) -> impl ::std::future::Future<Output = ::std::result::Result<(), $crate::server::HandlerError>>
                   + ::std::marker::Send {
                self.handler.on_connect(ctx)
            }

            fn on_disconnect(
                &self,
                ctx: &$crate::server::Ctx<Self>,
                reason: &$crate::server::Disconnect,
            ) -> impl ::std::future::Future<Output = ()> + ::std::marker::Send {
                self.handler.on_disconnect(ctx, reason)
            }

            fn handle(
                &self,
                ctx: &$crate::server::Ctx<Self>,
                message: ClientMessage,
            ) -> impl ::std::future::Future<
                Output = ::std::result::Result<::std::vec::Vec<ServerMessage>, $crate::server::HandlerError>,
            > + ::std::marker::Send {
                async move {
                    match message {
                        $(
                            ClientMessage::$variant(message) => {
                                let handled = self.handler.$method(ctx, message).await;
                                $crate::__service_replies!(handled $(, $into)?)
                            }
                        )*
                    }
                }
            }

            fn error_reply(
                &self,
                ctx: &$crate::server::Ctx<Self>,
                error: &$crate::server::FrameError,
            ) -> ::std::option::Option<ServerMessage> {
                self.handler.error_reply(ctx, error)
            }
        }
    };
}

/// The identity, state and authentication of a channel, for
/// [`service_impls!`](crate::service_impls!): an open channel's are `()`
/// and admit everyone; a secured channel's are its `Handler`'s.
#[doc(hidden)]
#[macro_export]
macro_rules! __service_auth {
    () => {
        type Identity = ();
        type State = ();

        fn security(&self) -> &'static [$crate::security::Scheme] {
            &[]
        }

        fn authenticate(
            &self,
            handshake: &$crate::server::Handshake<'_>,
            params: &Parameters,
            credential: ::std::option::Option<$crate::security::Credential<'_>>,
        ) -> impl ::std::future::Future<
            Output = ::std::result::Result<(), $crate::server::Refusal>,
        > + ::std::marker::Send {
            let _ = (handshake, params, credential);
            async { ::std::result::Result::Ok(()) }
        }
    };
    ([ $( $scheme:path ),* ]) => {
        type Identity = H::Identity;
        type State = H::State;

        fn security(&self) -> &'static [$crate::security::Scheme] {
            const SCHEMES: &[$crate::security::Scheme] = &[$( $scheme ),*];
            SCHEMES
        }

        fn authenticate(
            &self,
            handshake: &$crate::server::Handshake<'_>,
            params: &Parameters,
            credential: ::std::option::Option<$crate::security::Credential<'_>>,
        ) -> impl ::std::future::Future<
            Output = ::std::result::Result<H::Identity, $crate::server::Refusal>,
        > + ::std::marker::Send {
            async move {
                match credential {
                    ::std::option::Option::Some(credential) => {
                        self.handler.authenticate(handshake, params, credential).await
                    }
                    // The runtime refuses a request without credential first.
                    ::std::option::Option::None => ::std::result::Result::Err(
                        $crate::server::Refusal::unauthorized("no credential"),
                    ),
                }
            }
        }
    };
}

/// `parse_params` for [`service_impls!`](crate::service_impls!).
#[doc(hidden)]
#[macro_export]
macro_rules! __service_params {
    (none, $params:ident) => {{
        let _ = $params;
        ::std::result::Result::Ok(())
    }};
    (parsed, $params:ident) => {
        Parameters::from_path($params)
    };
}

/// A handler's result as the messages to send, for
/// [`service_impls!`](crate::service_impls!).
#[doc(hidden)]
#[macro_export]
macro_rules! __service_replies {
    ($handled:ident) => {
        $handled.map(|()| ::std::vec::Vec::new())
    };
    ($handled:ident, $into:expr) => {
        $handled.map(|replies| replies.into_iter().map($into).collect())
    };
}
