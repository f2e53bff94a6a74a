//! How a client connects and behaves ([`ClientConfig`]), and whether and how
//! it reconnects after its connection drops ([`ReconnectPolicy`]).

use super::subscriptions::{Subscription, SubscriptionHook};
use crate::security::{ClientCredential, Placement};
use crate::server::encode_segment;
use crate::ws::{Buffers, Limits};
use std::any::Any;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::Arc;
use std::time::Duration;

/// How a client connects and behaves.
#[derive(Clone)]
pub struct ClientConfig {
    /// How long a request waits for its reply (default 30 s).
    pub request_timeout: Duration,
    /// How long connecting (TCP, TLS and the WebSocket handshake) may take
    /// (default 10 s).
    pub connect_timeout: Duration,
    /// What the server may send (default: 16 MiB messages, 4 MiB frames).
    pub limits: Limits,
    /// How much memory the connection keeps for reading and writing frames
    /// (default 2 KiB read at once, 4 KiB of writes collected).
    pub buffers: Buffers,
    /// How often to send a WebSocket ping (default 30 s; `None`: never).
    pub ping_interval: Option<Duration>,
    /// The liveness watchdog: after how long without any frame from the
    /// server (data, heartbeat, pong or otherwise) the connection counts as
    /// dead (default 90 s; `None`: never). With [`ClientConfig::reconnect`],
    /// the client then reconnects.
    pub idle_timeout: Option<Duration>,
    /// How many received messages wait for the application to take them from
    /// the [`super::Receiver`] (default 1024). When they are not taken,
    /// reading waits: replies to requests wait too, so read the receiver, or
    /// drop it.
    pub incoming_capacity: usize,
    /// How many frames wait to be written (default 256); `send` waits when
    /// they are this many.
    pub outgoing_capacity: usize,
    /// Whether and how to reconnect when the connection drops (default
    /// `None`: the client ends with the connection).
    pub reconnect: Option<ReconnectPolicy>,
    pub(crate) subscriptions: Option<SubscriptionHook>,
    tls: Option<Arc<rustls::ClientConfig>>,
    /// Headers to send with the handshake, credentials' included.
    headers: Vec<(String, String)>,
    /// Query parameters to add to the URL (API keys in the query).
    query: Vec<(String, String)>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            limits: Limits {
                max_message_size: 16 << 20,
                max_frame_size: 4 << 20,
            },
            buffers: Buffers::default(),
            ping_interval: Some(Duration::from_secs(30)),
            idle_timeout: Some(Duration::from_secs(90)),
            incoming_capacity: 1024,
            outgoing_capacity: 256,
            reconnect: None,
            subscriptions: None,
            tls: None,
            headers: Vec::new(),
            query: Vec::new(),
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("request_timeout", &self.request_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("limits", &self.limits)
            .field("buffers", &self.buffers)
            .field("ping_interval", &self.ping_interval)
            .field("idle_timeout", &self.idle_timeout)
            .field("incoming_capacity", &self.incoming_capacity)
            .field("outgoing_capacity", &self.outgoing_capacity)
            .field("reconnect", &self.reconnect)
            .field("tracks_subscriptions", &self.subscriptions.is_some())
            .field("custom_tls", &self.tls.is_some())
            // Names only: values may be secrets.
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field(
                "query",
                &self.query.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl ClientConfig {
    /// Sets how long a request waits for its reply.
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Sets how long connecting may take.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets what the server may send.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets how much memory the connection keeps for reading and writing.
    pub fn with_buffers(mut self, buffers: Buffers) -> Self {
        self.buffers = buffers;
        self
    }

    /// Sets how often to send WebSocket pings (`None`: never).
    pub fn with_ping_interval(mut self, interval: Option<Duration>) -> Self {
        self.ping_interval = interval;
        self
    }

    /// Sets after how long without a frame the connection counts as dead
    /// (the liveness watchdog).
    pub fn with_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Reconnects after the connection drops, as `policy` says, re-sending
    /// the live subscriptions ([`ClientConfig::with_subscriptions`]; code
    /// generated from a document that marks its subscribe/unsubscribe
    /// operations sets them). The connection the application closes, or
    /// whose every sender is dropped, is not reopened.
    pub fn reconnect(mut self, policy: ReconnectPolicy) -> Self {
        self.reconnect = Some(policy);
        self
    }

    /// Says which outgoing messages start and stop a feed, so that the
    /// client re-sends the live ones, in order, after reconnecting. `hook`
    /// takes the channel's outgoing message type (e.g. the generated
    /// `ClientMessage`); for any other type it is never called.
    pub fn with_subscriptions<Out: 'static>(
        mut self,
        hook: impl Fn(&Out) -> Option<Subscription> + Send + Sync + 'static,
    ) -> Self {
        self.subscriptions = Some(Arc::new(move |message: &dyn Any| {
            message.downcast_ref::<Out>().and_then(&hook)
        }));
        self
    }

    /// Like [`ClientConfig::with_subscriptions`], unless a hook is set
    /// already (generated code offers the document's this way, so that a
    /// user's own wins).
    pub fn or_subscriptions<Out: 'static>(
        self,
        hook: impl Fn(&Out) -> Option<Subscription> + Send + Sync + 'static,
    ) -> Self {
        if self.subscriptions.is_some() {
            self
        } else {
            self.with_subscriptions(hook)
        }
    }

    /// Uses these TLS settings for `wss` URLs instead of trusting the
    /// Mozilla roots (e.g. [`crate::tls::client_config_trusting_pem`] for a
    /// test's own certificate).
    pub fn with_tls(mut self, tls: Arc<rustls::ClientConfig>) -> Self {
        self.tls = Some(tls);
        self
    }

    pub(crate) fn tls(&self) -> Option<&Arc<rustls::ClientConfig>> {
        self.tls.as_ref()
    }

    /// Sends `credential` with the handshake, where its scheme says: a
    /// bearer token as `Authorization: Bearer <token>`, an API key in its
    /// header, query parameter or cookie. Several may be given (for a
    /// server that wants more than one); a scheme the runtime cannot send
    /// (OAuth 2 flows and the like) adds nothing.
    pub fn with_credential(mut self, credential: ClientCredential) -> Self {
        match credential.placement() {
            Some(Placement::Header(name, value)) => self.headers.push((name.to_owned(), value)),
            Some(Placement::Query(name, value)) => self.query.push((name.to_owned(), value)),
            None => {}
        }
        self
    }

    /// Sends the header `name: value` with the handshake (a header that is
    /// no valid HTTP header fails connecting, naming it).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The headers to send with the handshake.
    pub(crate) fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// `url` with the query parameters of the credentials added.
    pub(crate) fn url_with_query(&self, url: &str) -> String {
        let mut out = url.to_owned();
        for (name, value) in &self.query {
            out.push(if out.contains('?') { '&' } else { '?' });
            out.push_str(&encode_segment(name));
            out.push('=');
            out.push_str(&encode_segment(value));
        }
        out
    }
}

/// What sending does while the client reconnects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WhileReconnecting {
    /// Messages and requests wait for the new connection (after the live
    /// subscriptions are re-sent); requests still time out. The default.
    #[default]
    Wait,
    /// They fail at once with [`super::Error::Interrupted`].
    Fail,
}

/// A predicate over received messages, type-erased so the policy is not
/// generic.
type SlowDown = Arc<dyn Fn(&dyn Any) -> bool + Send + Sync>;

/// When to try connecting again after the connection drops.
///
/// The defaults follow Kraken's guidance ("attempt reconnection instantly up
/// to a handful of times if the websocket is dropped randomly during normal
/// operation but after maintenance or extended downtime, attempt to
/// reconnect no more quickly than once every 5 seconds"):
///
/// - after a drop, 3 immediate attempts ([`ReconnectPolicy::immediate_attempts`]);
/// - then, or at once when the server announced maintenance
///   ([`ReconnectPolicy::slow_down_after`]), closed with 1001 (going away),
///   1012 (restarting) or 1013 (try again later), or refused the handshake
///   (e.g. HTTP 503): attempts 5 s apart, doubling up to 60 s
///   ([`ReconnectPolicy::base_delay`], [`ReconnectPolicy::max_delay`]), each
///   lengthened by up to 25 % at random ([`ReconnectPolicy::jitter`]) and
///   never shorter than the base delay;
/// - never giving up ([`ReconnectPolicy::give_up_after`]);
/// - sending waits for the new connection ([`WhileReconnecting::Wait`]).
#[derive(Clone)]
pub struct ReconnectPolicy {
    /// How many attempts to make at once after a drop (default 3).
    pub immediate_attempts: u32,
    /// The shortest delay between slow attempts (default 5 s).
    pub base_delay: Duration,
    /// The longest delay between attempts (default 60 s).
    pub max_delay: Duration,
    /// Each slow delay is lengthened by up to this fraction of itself, at
    /// random, so that many clients do not come back at the same instant
    /// (default 0.25).
    pub jitter: f64,
    /// After how many failed attempts in a row to give up (default `None`:
    /// never); the client then ends with [`super::Error::Lost`].
    pub give_up_after: Option<u32>,
    /// What sending does while reconnecting (default
    /// [`WhileReconnecting::Wait`]).
    pub while_reconnecting: WhileReconnecting,
    pub(crate) slow_down: Option<SlowDown>,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        ReconnectPolicy {
            immediate_attempts: 3,
            base_delay: Duration::from_secs(5),
            max_delay: Duration::from_secs(60),
            jitter: 0.25,
            give_up_after: None,
            while_reconnecting: WhileReconnecting::Wait,
            slow_down: None,
        }
    }
}

impl fmt::Debug for ReconnectPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReconnectPolicy")
            .field("immediate_attempts", &self.immediate_attempts)
            .field("base_delay", &self.base_delay)
            .field("max_delay", &self.max_delay)
            .field("jitter", &self.jitter)
            .field("give_up_after", &self.give_up_after)
            .field("while_reconnecting", &self.while_reconnecting)
            .field("slow_down", &self.slow_down.is_some())
            .finish()
    }
}

impl ReconnectPolicy {
    /// Sets how many attempts to make at once after a drop.
    pub fn with_immediate_attempts(mut self, attempts: u32) -> Self {
        self.immediate_attempts = attempts;
        self
    }

    /// Sets the shortest and the longest delay between slow attempts.
    pub fn with_delays(mut self, base: Duration, max: Duration) -> Self {
        self.base_delay = base;
        self.max_delay = max.max(base);
        self
    }

    /// Sets the random lengthening of slow delays (a fraction, 0 for none).
    pub fn with_jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter;
        self
    }

    /// Gives up after `attempts` failed attempts in a row (`None`: never).
    pub fn give_up_after(mut self, attempts: Option<u32>) -> Self {
        self.give_up_after = attempts;
        self
    }

    /// Sets what sending does while reconnecting.
    pub fn with_while_reconnecting(mut self, mode: WhileReconnecting) -> Self {
        self.while_reconnecting = mode;
        self
    }

    /// Reconnects slowly (no immediate attempts) after a connection on which
    /// a received message satisfied `announces_downtime`, e.g. Kraken's
    /// `systemStatus` with `status: maintenance`. `In` is the channel's
    /// incoming message type (the generated `ServerMessage`).
    pub fn slow_down_after<In: 'static>(
        mut self,
        announces_downtime: impl Fn(&In) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.slow_down = Some(Arc::new(move |message: &dyn Any| {
            message
                .downcast_ref::<In>()
                .is_some_and(&announces_downtime)
        }));
        self
    }

    /// The delay before slow attempt number `step` (0 for the first):
    /// `base × 2^step`, capped at `max`, lengthened by up to `jitter` of
    /// itself (`random` in [0, 1)), never under `base` nor over `max`.
    pub(crate) fn slow_delay(&self, step: u32, random: f64) -> Duration {
        let base = self.base_delay;
        let max = self.max_delay.max(base);
        let doubled = base.saturating_mul(1u32 << step.min(20)).min(max);
        let jitter = self.jitter.clamp(0.0, 10.0) * random.clamp(0.0, 1.0);
        doubled.mul_f64(1.0 + jitter).clamp(base, max)
    }
}

/// A number in [0, 1), different on every call (std's randomly keyed
/// hasher, so no random-number crate is needed for jitter).
pub(crate) fn random_fraction() -> f64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let bits = std::collections::hash_map::RandomState::new().hash_one(n);
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_delays_double_up_to_the_cap_and_never_go_under_the_base() {
        let policy = ReconnectPolicy::default();
        let secs = |step, random| policy.slow_delay(step, random).as_secs_f64();
        assert_eq!(secs(0, 0.0), 5.0);
        assert_eq!(secs(1, 0.0), 10.0);
        assert_eq!(secs(2, 0.0), 20.0);
        assert_eq!(secs(3, 0.0), 40.0);
        assert_eq!(secs(4, 0.0), 60.0);
        assert_eq!(secs(40, 0.0), 60.0);
        assert_eq!(secs(0, 0.5), 5.625);
        assert_eq!(secs(3, 0.99), 49.9);
        assert_eq!(secs(4, 0.99), 60.0);
        let none = policy.clone().with_jitter(-1.0);
        assert_eq!(none.slow_delay(0, 0.9), Duration::from_secs(5));
        let odd = policy.with_delays(Duration::from_secs(5), Duration::from_secs(1));
        assert_eq!(odd.max_delay, Duration::from_secs(5));
    }

    #[test]
    fn random_fractions_are_in_range_and_vary() {
        let draws: Vec<f64> = (0..100).map(|_| random_fraction()).collect();
        assert!(draws.iter().all(|r| (0.0..1.0).contains(r)));
        assert!(draws.windows(2).any(|w| w[0] != w[1]));
    }

    #[test]
    fn the_downtime_predicate_sees_only_its_type() {
        let policy = ReconnectPolicy::default().slow_down_after(|m: &String| m == "maintenance");
        let slow = policy.slow_down.unwrap();
        assert!(slow(&"maintenance".to_string()));
        assert!(!slow(&"online".to_string()));
        assert!(!slow(&42u32));
    }
}
