"""A third-party client of the chat service (specs/chat.yaml): Python's
`websockets` library, written from the document alone, against the server
at the URL given (e.g. ws://127.0.0.1:9100). Exits non-zero on any
difference from the contract; prints one line per check.

    python chat_websockets.py ws://127.0.0.1:9100
"""

import asyncio
import json
import sys

import websockets


async def recv(ws):
    return json.loads(await asyncio.wait_for(ws.recv(), 10))


def check(condition, what):
    if not condition:
        raise SystemExit(f"FAILED: {what}")
    print(f"ok: {what}")


async def main(url):
    # No token: refused with 401 before the upgrade.
    try:
        async with websockets.connect(f"{url}/chat/general"):
            check(False, "a handshake without a token is refused")
    except websockets.exceptions.InvalidStatus as e:
        check(e.response.status_code == 401, "a handshake without a token is refused with 401")

    # A room name the pattern refuses: 400.
    try:
        async with websockets.connect(f"{url}/chat/Bad_Room?token=token-alice"):
            check(False, "a bad room name is refused")
    except websockets.exceptions.InvalidStatus as e:
        check(e.response.status_code == 400, "a bad room name is refused with 400")

    headers = {"Authorization": "Bearer token-alice"}
    async with websockets.connect(f"{url}/chat/general", additional_headers=headers) as alice:
        joined = await recv(alice)
        check(joined == {"action": "user_joined", "payload": {"user": "alice"}},
              "a bearer token admits alice, who is told she joined")
        async with websockets.connect(f"{url}/chat/general?token=token-bob") as bob:
            check((await recv(bob))["payload"]["user"] == "bob", "a query token admits bob")
            check((await recv(alice))["payload"]["user"] == "bob", "alice is told bob joined")

            await alice.send(json.dumps({"action": "chat", "payload": {"message": "hi bob", "mentions": ["bob"]}}))
            for name, ws in (("alice", alice), ("bob", bob)):
                note = await recv(ws)
                check(note["action"] == "chat_notification"
                      and note["payload"]["user"] == "alice"
                      and note["payload"]["message"] == "hi bob"
                      and note["payload"]["mentions"] == ["bob"]
                      and "sent_at" in note["payload"],
                      f"{name} gets alice's chat_notification")

            await bob.send(json.dumps({"action": "typing"}))
            check((await recv(alice)) == {"action": "user_typing", "payload": {"user": "bob"}},
                  "alice sees bob typing")

            await bob.send(json.dumps({"action": "history", "id": "py-1", "payload": {"limit": 0}}))
            error = await recv(bob)
            check(error["action"] == "error" and error.get("id") == "py-1"
                  and error["payload"]["code"] == "invalid"
                  and [e["field"] for e in error["payload"]["errors"]] == ["/payload/limit"],
                  "a limit of 0 gets the error frame naming /payload/limit, with the id")

            await bob.send(json.dumps({"action": "history", "id": "py-2", "payload": {"limit": 10}}))
            result = await recv(bob)
            check(result["action"] == "history_result" and result["id"] == "py-2"
                  and [m["message"] for m in result["payload"]["messages"]] == ["hi bob"],
                  "history returns the room's messages with the request's id")

            await bob.send("not json")
            check((await recv(bob))["payload"]["code"] == "malformed", "a frame that is not JSON is malformed")
            await bob.send(json.dumps({"action": "dance"}))
            check((await recv(bob))["payload"]["code"] == "unknown_action", "an unknown action is unknown_action")

            await bob.send(json.dumps({"action": "ping"}))
            check((await recv(bob)) == {"action": "pong"}, "ping gets pong; the connection went on")
        left = await recv(alice)
        check(left == {"action": "user_left", "payload": {"user": "bob"}}, "alice is told bob left")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
