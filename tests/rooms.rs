//! The code generated for a channel with a parameter (`/rooms/{roomId}`,
//! restricted to two values) and a request whose two possible replies carry
//! no correlation id, compiled under `#![deny(warnings)]` and run over
//! loopback: the client fills the address, the server reads and checks it.

#![deny(warnings)]

mod rooms {
    asyncapi_runtime::include_api!("rooms");
}

use asyncapi_runtime::server::{HandlerError, Replies, Server};
use rooms::{Client, Context, Handler, Parameters, SayReply, Service};
use std::time::Duration;

struct Rooms;

impl Handler for Rooms {
    async fn say(
        &self,
        ctx: &Context,
        message: rooms::types::Say,
    ) -> Result<Replies<SayReply>, HandlerError> {
        let reply = if message.text.is_empty() || ctx.params().room_id != "lobby" {
            SayReply::Refused(rooms::types::Refused {
                action: Default::default(),
            })
        } else {
            SayReply::Said(rooms::types::Said {
                action: Default::default(),
            })
        };
        Ok(reply.into())
    }
}

fn say(text: &str) -> rooms::types::Say {
    rooms::types::Say {
        action: Default::default(),
        text: text.into(),
    }
}

#[tokio::test]
async fn parameters_fill_the_address_and_are_checked() {
    let server = Server::builder()
        .channel(Service::new(Rooms))
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let url = format!("ws://{}", server.local_addr());
    tokio::spawn(server.run());
    let deadline = Duration::from_secs(20);

    let lobby = Parameters {
        room_id: "lobby".into(),
    };
    assert_eq!(lobby.path(), "/rooms/lobby");
    let client = tokio::time::timeout(deadline, Client::connect(&url, &lobby))
        .await
        .unwrap()
        .unwrap();
    let said = tokio::time::timeout(deadline, client.say(say("hello")))
        .await
        .unwrap();
    assert!(matches!(said, Ok(SayReply::Said(_))), "{said:?}");
    let refused = client.say(say("")).await;
    assert!(matches!(refused, Ok(SayReply::Refused(_))), "{refused:?}");

    let games = Parameters {
        room_id: "games".into(),
    };
    let other = Client::connect(&url, &games).await.unwrap();
    assert!(matches!(
        other.say(say("hi")).await,
        Ok(SayReply::Refused(_))
    ));

    // A value the document does not allow: refused in the handshake.
    let attic = Parameters {
        room_id: "attic door".into(),
    };
    assert_eq!(attic.path(), "/rooms/attic%20door");
    let error = Client::connect(&url, &attic).await.unwrap_err().to_string();
    assert!(
        error.contains("400")
            && error.contains("`roomId` must be one of `lobby`, `games`, not `attic door`"),
        "{error}"
    );
}
