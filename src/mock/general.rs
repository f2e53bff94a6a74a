//! The general frames both endpoints send: system status, pong, heartbeat,
//! and the error reply for frames that are no message.

use crate::kraken::types;
use asyncapi_runtime::server::{FrameError, FrameErrorKind};

/// `systemStatus` for a new connection.
pub(super) fn system_status(connection: u64) -> types::SystemStatus {
    types::SystemStatus {
        // Kraken's ids are large unsigned numbers.
        connection_id: 8_628_615_390_848_610_000u64.wrapping_add(connection),
        event: Default::default(),
        status: types::SystemState::Online,
        version: "1.9.2".into(),
    }
}

/// `pong`; the runtime copies the ping's `reqid` into it.
pub(super) fn pong() -> types::Pong {
    types::Pong {
        event: Default::default(),
        reqid: None,
    }
}

/// `heartbeat`.
pub(super) fn heartbeat() -> types::Heartbeat {
    types::Heartbeat {
        event: Default::default(),
    }
}

/// `{"event":"error","errorMessage":...}` for a frame that did not end in
/// replies, with Kraken's texts where Kraken has one; the runtime copies the
/// frame's `reqid` into it.
pub(super) fn error(error: &FrameError) -> types::GeneralError {
    let message = match error.kind() {
        FrameErrorKind::Decode(decode) if decode.is_malformed() => "Malformed request".to_owned(),
        FrameErrorKind::Decode(_) | FrameErrorKind::Invalid { .. } => {
            let event = error
                .frame()
                .and_then(|frame| serde_json::from_str::<serde_json::Value>(frame).ok())
                .and_then(|v| v.get("event").cloned());
            match event {
                None => "Event(s) not found".to_owned(),
                Some(serde_json::Value::String(name)) if error.code() == FrameError::UNKNOWN => {
                    format!("Unsupported event: {name}")
                }
                Some(_) => format!("Malformed request: {error}"),
            }
        }
        FrameErrorKind::Binary { .. } => "Binary frames are not supported".to_owned(),
        FrameErrorKind::Handler { error, .. } => error.message().to_owned(),
        other => format!("{other:?}"),
    };
    types::GeneralError {
        error_message: message,
        event: Default::default(),
        reqid: None,
    }
}

/// `subscriptionStatus` with `status: error`, echoing the request (and the
/// pair, for per-pair errors).
pub(super) fn subscription_error(
    message: &str,
    pair: Option<&str>,
    request: &types::SubscriptionRequest,
) -> types::SubscriptionStatusError {
    types::SubscriptionStatusError {
        error_message: message.to_owned(),
        event: Default::default(),
        pair: pair.map(str::to_owned),
        reqid: None,
        status: Default::default(),
        subscription: Some(types::RejectedSubscription {
            depth: request.depth.as_ref().map(|d| **d),
            interval: request.interval.as_ref().map(|i| **i),
            name: Some(request.name.to_string()),
            token: request.token.clone(),
        }),
    }
}
