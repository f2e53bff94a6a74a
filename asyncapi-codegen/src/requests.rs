//! Request/reply pairs of a channel: which messages clients send expect a
//! reply (from the operations' `reply`, 3.x), what the reply may be, the
//! reply enum when it may be one of several messages, and the method name
//! the client and the server trait use for each message clients send.

use crate::ir::{Api, Direction};
use crate::messages::doc_attrs;
use crate::names::{self, Scope};
use proc_macro2::TokenStream;
use quote::quote;

/// Method names the generated `Client`, `Sender` and `Handler` have of their
/// own; message methods never take them.
const RESERVED_METHODS: &[&str] = &[
    "connect",
    "connect_with",
    "connect_url",
    "recv",
    "sender",
    "split",
    "receiver",
    "send",
    "with_timeout",
    "close",
    "closed",
    "is_closed",
    "inner",
    "on_connect",
    "on_disconnect",
    "error_reply",
    "poll_next",
    "deref",
];

/// What the client and the server side of one channel are made from.
pub struct ChannelInput<'a> {
    /// The model.
    pub api: &'a Api,
    /// The channel.
    pub channel: usize,
    /// What clients send on it.
    pub incoming: &'a [Incoming],
    /// A message's payload type, as seen from the channel's module.
    pub payload_type: &'a dyn Fn(usize) -> TokenStream,
    /// Whether the channel has parameters (its `Parameters` is a struct).
    pub has_parameters: bool,
    /// The paths of the security schemes that admit to it (empty: open).
    pub security: Vec<TokenStream>,
}

/// One message clients send on a channel.
pub struct Incoming {
    /// Index into [`Api::messages`].
    pub message: usize,
    /// Its variant in `ClientMessage`.
    pub variant: String,
    /// The method the `Handler` (and, for requests, the `Sender`) has for it.
    pub method: String,
    /// Its replies (indices into [`Api::messages`], with their
    /// `ServerMessage` variants); empty when it expects none.
    pub replies: Vec<(usize, String)>,
    /// The name of its reply enum, when it may have several replies.
    pub reply_enum: Option<String>,
    /// Whether replies are matched to it by correlation id (it and every
    /// reply carry one); otherwise by type, first come first served.
    pub correlated: bool,
    /// The summaries and descriptions of the operations it is sent in.
    pub docs: Vec<String>,
}

/// How generated code handles a request's reply.
pub struct ReplyTokens {
    /// Its type: the payload type of its one reply, or its reply enum.
    pub ty: TokenStream,
    /// The replies as `rt::request!` takes them: the one `ServerMessage`
    /// variant (`Pong`), or the reply enum and its variants
    /// (`SubscribeReply: SubscriptionStatus | SubscriptionStatusError`).
    pub request_macro: TokenStream,
    /// A closure turning one reply into a `ServerMessage`.
    pub to_server_message: TokenStream,
}

/// What clients send on a channel, with the replies they expect.
pub fn incoming(api: &Api, channel: usize, item_names: &mut Scope) -> Vec<Incoming> {
    let ch = &api.channels[channel];
    let server_variants = ch.variants(Direction::ServerToClient);
    let mut methods = Scope::with_reserved(RESERVED_METHODS.iter().copied());
    ch.variants(Direction::ClientToServer)
        .into_iter()
        .map(|(message, variant)| {
            let mut replies: Vec<(usize, String)> = Vec::new();
            let mut docs = Vec::new();
            for op in api.operations.iter().filter(|op| {
                op.channel == channel
                    && op.direction == Direction::ClientToServer
                    && op.messages.contains(&message)
            }) {
                for text in op.docs.paragraphs() {
                    if !docs.iter().any(|d| d == text) {
                        docs.push(text.to_string());
                    }
                }
                let Some(reply) = op.reply.as_ref().filter(|r| r.channel == channel) else {
                    continue;
                };
                for m in &reply.messages {
                    if let Some((_, v)) = server_variants.iter().find(|(s, _)| s == m) {
                        if !replies.iter().any(|(r, _)| r == m) {
                            replies.push((*m, v.clone()));
                        }
                    }
                }
            }
            let reply_enum = (replies.len() > 1)
                .then(|| item_names.claim(names::type_name(&format!("{variant}Reply"))));
            let correlated = api.messages[message].correlation.is_some()
                && replies
                    .iter()
                    .all(|(r, _)| api.messages[*r].correlation.is_some());
            Incoming {
                message,
                method: methods.claim(names::snake_name(&variant)),
                variant,
                replies,
                reply_enum,
                correlated,
                docs,
            }
        })
        .collect()
}

impl Incoming {
    /// How generated code handles its reply; `None` when it expects none.
    pub fn reply(&self, payload_type: &dyn Fn(usize) -> TokenStream) -> Option<ReplyTokens> {
        let variants = self.replies.iter().map(|(_, v)| names::ident(v));
        match (&self.reply_enum, self.replies.as_slice()) {
            (Some(name), _) => {
                let ident = names::ident(name);
                Some(ReplyTokens {
                    ty: quote!(#ident),
                    request_macro: quote!(#ident: #(#variants)|*),
                    to_server_message: quote!(ServerMessage::from),
                })
            }
            (None, [(m, variant)]) => {
                let v = names::ident(variant);
                Some(ReplyTokens {
                    ty: payload_type(*m),
                    request_macro: quote!(#v),
                    to_server_message: quote!(ServerMessage::#v),
                })
            }
            // No reply (several replies always have an enum).
            _ => None,
        }
    }

    /// The rustdoc paragraphs of its operations.
    pub fn doc_paragraphs(&self) -> Vec<&str> {
        self.docs.iter().map(String::as_str).collect()
    }

    /// The names of its replies, for prose: "`pong`", "`a` or `b`".
    pub fn reply_names(&self, api: &Api) -> String {
        let names: Vec<String> = self
            .replies
            .iter()
            .map(|(m, _)| format!("`{}`", api.messages[*m].key))
            .collect();
        match names.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} or {last}", init.join(", ")),
        }
    }
}

/// The reply enum of a request that may have several replies, with its
/// conversions from and to `ServerMessage`.
pub fn reply_enum(
    api: &Api,
    request: &Incoming,
    payload_type: &dyn Fn(usize) -> TokenStream,
) -> TokenStream {
    let Some(name) = &request.reply_enum else {
        return TokenStream::new();
    };
    let ident = names::ident(name);
    let doc = doc_attrs(&[&format!(
        "The replies to `{}`: {}.",
        api.messages[request.message].key,
        request.reply_names(api)
    )]);
    let types: Vec<String> = request
        .replies
        .iter()
        .map(|(m, _)| payload_type(*m).to_string())
        .collect();
    let mut variants = Vec::new();
    let mut entries = Vec::new();
    for (m, variant) in &request.replies {
        let v = names::ident(variant);
        let ty = payload_type(*m);
        let key_doc = format!(" Message `{}`.", api.messages[*m].key);
        variants.push(quote!(#[doc = #key_doc] #v(#ty)));
        let text = ty.to_string();
        let from = (types.iter().filter(|t| **t == text).count() == 1).then(|| quote!(, from));
        entries.push(quote!(#v(#ty) #from;));
    }
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #ident {
            #(#variants,)*
        }

        rt::reply_impls! {
            #ident;
            #(#entries)*
        }
    }
}
