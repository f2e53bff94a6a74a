//! The chat server as an axum application: the generated channel mounted at
//! `/chat/{room}`, the served contract (`/asyncapi.json`, `/asyncapi.yaml`,
//! `/asyncapi`) and an HTTP endpoint beside them,
//! `POST /chat/{room}/announcements`, which sends an announcement to a room
//! from outside any connection.

use super::{announce, AnnounceError, ChatApp};
use crate::chat;
use asyncapi_runtime::security::Scheme;
use asyncapi_runtime::server::{Handshake, PathParams, ServerConfig};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::Arc;

/// How the announcement endpoint authenticates: a bearer token, read as
/// the runtime reads the document's bearer schemes.
const ADMIN: Scheme = Scheme::bearer("adminToken");

/// What the announcement endpoint needs.
#[derive(Clone)]
struct Announcer {
    channel: chat::Handle,
    admin_token: Arc<str>,
}

/// The whole chat application: the channel served by `app`, its contract,
/// and the announcement endpoint guarded by `admin_token`.
pub fn router(app: ChatApp, admin_token: &str, config: ServerConfig) -> Router {
    let service = chat::Service::new(app);
    let announcer = Announcer {
        channel: service.handle(),
        admin_token: admin_token.into(),
    };
    Router::new()
        .route("/chat/{room}/announcements", post(announcement))
        .with_state(announcer)
        .merge(asyncapi_runtime::axum::channel(service, config))
        .merge(asyncapi_runtime::axum::contract(chat::CONTRACT))
}

/// `POST /chat/{room}/announcements` with `Authorization: Bearer <admin
/// token>` and `{"text": T}`: 202 and how many members it reached; 401
/// without the admin token; 400 for a bad room or text.
async fn announcement(
    State(announcer): State<Announcer>,
    Path(room): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> (StatusCode, Json<Value>) {
    let peer = std::net::SocketAddr::from(([0, 0, 0, 0], 0));
    let credential = Handshake::new(&uri, &headers, peer).credential(&[ADMIN]);
    if credential.as_ref().map(|c| c.value()) != Some(&*announcer.admin_token) {
        return problem(
            StatusCode::UNAUTHORIZED,
            "announcements need `Authorization: Bearer <admin token>`",
        );
    }
    let params = PathParams::from_iter([("room".to_owned(), room.clone())]);
    if let Err(reason) = chat::Parameters::from_path(&params) {
        return problem(StatusCode::BAD_REQUEST, &reason);
    }
    let body = match body {
        Ok(Json(body)) => body,
        Err(rejection) => return problem(StatusCode::BAD_REQUEST, &rejection.body_text()),
    };
    let Some(text) = body.get("text").and_then(Value::as_str) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "the body must be {\"text\": \"...\"}",
        );
    };
    match announce(&announcer.channel, &room, text).await {
        Ok(delivered) => (
            StatusCode::ACCEPTED,
            Json(json!({"room": room, "delivered": delivered})),
        ),
        Err(AnnounceError::Invalid(reason)) => problem(StatusCode::BAD_REQUEST, &reason),
        Err(AnnounceError::Send(error)) => {
            problem(StatusCode::INTERNAL_SERVER_ERROR, &error.to_string())
        }
    }
}

fn problem(status: StatusCode, reason: &str) -> (StatusCode, Json<Value>) {
    (status, Json(json!({"error": reason})))
}
