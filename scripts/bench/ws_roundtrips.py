"""An external load generator for examples/ws_bench (issue 11): Python's
`websockets` library, not ours, driving Kraken v1 `ping` -> `pong` round
trips against the server at URL. Each of CONNECTIONS connections sends one
`ping` (with a `reqid` of its own) at a time and waits for the `pong` with
that `reqid`, for SECONDS seconds. Prints one line: the round trips per
second of all connections together. Exits non-zero (with the reason) on a
wrong reply, a closed connection or a reply that takes over 10 s.

    python ws_roundtrips.py ws://127.0.0.1:PORT/ [SECONDS] [CONNECTIONS]
"""

import asyncio
import json
import sys
import time

import websockets


async def drive(url, deadline):
    done = 0
    async with websockets.connect(url, compression=None) as ws:
        while time.monotonic() < deadline:
            reqid = done + 1
            await ws.send(json.dumps({"event": "ping", "reqid": reqid}))
            while True:
                reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if reply.get("event") == "pong" and reply.get("reqid") == reqid:
                    break
                if isinstance(reply, dict) and reply.get("event") not in ("heartbeat", "systemStatus"):
                    raise SystemExit(f"FAILED: unexpected reply to ping {reqid}: {reply}")
            done += 1
    return done


async def main(url, seconds, connections):
    start = time.monotonic()
    counts = await asyncio.gather(
        *(drive(url, start + seconds) for _ in range(connections))
    )
    print(f"{sum(counts) / (time.monotonic() - start):.0f}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    asyncio.run(
        main(
            sys.argv[1],
            float(sys.argv[2]) if len(sys.argv) > 2 else 1.0,
            int(sys.argv[3]) if len(sys.argv) > 3 else 1,
        )
    )
