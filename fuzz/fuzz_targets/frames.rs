//! Frame decoding of the generated message enums (Kraken's four, the seed's
//! 2.0 shape, the rooms fixture) on arbitrary text, and the runtime's
//! correlation-id reader. A frame that decodes must encode and decode again
//! as the same variant.

#![no_main]

use asyncapi_runtime::message::{CorrelationId, Message};
use asyncapi_showcase::kraken::channels::{private, public};
use asyncapi_showcase::kraken_2_0;
use libfuzzer_sys::fuzz_target;

mod rooms {
    asyncapi_runtime::include_api!("rooms");
}

/// Decodes `frame` as `M`; a message must survive encoding and decoding.
fn check<M: Message>(frame: &str) {
    for path in M::CORRELATION_PATHS {
        let _ = CorrelationId::find(frame, path);
    }
    let Ok(message) = M::from_json(frame) else {
        return;
    };
    let encoded = message
        .to_json()
        .unwrap_or_else(|e| panic!("{message:?} decoded from {frame:?} does not encode: {e}"));
    let again = M::from_json(&encoded)
        .unwrap_or_else(|e| panic!("{encoded} (from {frame:?}) does not decode again: {e}"));
    assert_eq!(
        again.variant_name(),
        message.variant_name(),
        "{frame:?} → {encoded}"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(frame) = std::str::from_utf8(data) else {
        return;
    };
    check::<public::ServerMessage>(frame);
    check::<public::ClientMessage>(frame);
    check::<private::ServerMessage>(frame);
    check::<private::ClientMessage>(frame);
    check::<kraken_2_0::ServerMessage>(frame);
    check::<kraken_2_0::ClientMessage>(frame);
    check::<rooms::ServerMessage>(frame);
    check::<rooms::ClientMessage>(frame);
});
