"""python-kraken-sdk 3.x (its WebSockets API v2 clients) against the mock
Kraken v2 over wss, offline.

usage: SSL_CERT_FILE=cert.pem python kraken_sdk_v2.py wss://127.0.0.1:PUBLIC wss://127.0.0.1:PRIVATE wss://127.0.0.1:LEVEL3 TOKEN [SECONDS]

The SDK dials `wss://` and verifies the certificate (SSL_CERT_FILE names
the mock's); it appends `/v2` to each URL itself. Keeps a depth-10 book of
BTC/USD with the SDK's own checksum check (SpotOrderBookClient), watches
ticker, trades and candles (SpotWSClient), on the authenticated endpoint
subscribes to executions and balances and places and cancels an order, and
on the level-3 endpoint subscribes to BTC/USD's orders, for SECONDS
(default 5). Fails on a checksum mismatch, an error
acknowledgement, a book shorter than its depth, or too few updates.

Two REST calls the SDK makes are answered here, offline: the pair's
decimals (the checksum needs them; the SDK asks `AssetPairs`) and the
websocket token (`GetWebSocketsToken`), which is the mock's TOKEN.
"""

import asyncio
import sys

import kraken.spot.orderbook
from kraken.spot import SpotOrderBookClient, SpotWSClient
from kraken.spot.websocket import SpotWSClientBase

TOKEN = "test-token"


def asset_pairs(self, pair=None, **_):
    pairs = [pair] if isinstance(pair, str) else list(pair or [])
    return {p: {"pair_decimals": 1, "lot_decimals": 8} for p in pairs}


async def ws_token(self):
    return {"token": TOKEN, "expires": 900}


kraken.spot.orderbook.Market.get_asset_pairs = asset_pairs
SpotWSClientBase.get_ws_token = ws_token


class Book(SpotOrderBookClient):
    def __init__(self, url):
        # The book client takes no URL: it reads the class attribute.
        Book.WS_URL = url
        super().__init__(depth=10)
        self.updates = 0
        self.problems = []

    async def on_book_update(self, pair, message):
        if "error" in message:
            self.problems.append(message["error"])
            return
        book = self.get(pair)
        for side in ("ask", "bid"):
            if len(book[side]) < 10:
                self.problems.append(f"the {side} side has {len(book[side])} levels, not 10")
        self.updates += 1


async def main(public_url, private_url, level3_url, seconds):
    problems = []
    seen = {}

    def note(message):
        if not isinstance(message, dict):
            return
        if message.get("success") is False or "error" in message:
            problems.append(str(message))
        key = message.get("channel") or message.get("method")
        seen[key] = seen.get(key, 0) + 1
        if key == "executions":
            for report in message.get("data", []):
                seen["exec " + report["exec_type"]] = seen.get("exec " + report["exec_type"], 0) + 1
        if key == "add_order" and message.get("success"):
            seen["order_id"] = message["result"]["order_id"]

    async def on_message(message):
        note(message)

    book = Book(public_url)
    public = SpotWSClient(callback=on_message, ws_url=public_url)
    private = SpotWSClient(key="key", secret="c2VjcmV0", callback=on_message, no_public=True, auth_ws_url=private_url)
    level3 = SpotWSClient(key="key", secret="c2VjcmV0", callback=on_message, no_public=True, auth_ws_url=level3_url)
    clients = (book, public, private, level3)
    for client in clients:
        await client.start()
    await book.add_book(pairs=["BTC/USD"])
    await public.subscribe(params={"channel": "ticker", "symbol": ["BTC/USD"]})
    await public.subscribe(params={"channel": "trade", "symbol": ["BTC/USD"], "snapshot": True})
    await public.subscribe(params={"channel": "ohlc", "symbol": ["BTC/USD"], "interval": 5})
    await private.subscribe(params={"channel": "executions"})
    await private.subscribe(params={"channel": "balances"})
    await level3.subscribe(params={"channel": "level3", "symbol": ["BTC/USD"]})
    await asyncio.sleep(0.5)
    await private.send_message(
        message={
            "method": "add_order",
            "params": {"order_type": "limit", "side": "buy", "limit_price": 26500.4, "order_qty": 1.2, "symbol": "BTC/USD"},
        }
    )
    for _ in range(50):
        if "order_id" in seen:
            break
        await asyncio.sleep(0.1)
    if "order_id" in seen:
        await private.send_message(message={"method": "cancel_order", "params": {"order_id": [seen["order_id"]]}})
    await asyncio.sleep(seconds)
    for client in clients:
        if client.exception_occur:
            problems.append("the SDK's websocket client reported an exception")
        await client.close()

    version = __import__("importlib.metadata").metadata.version("python-kraken-sdk")
    print(f"python-kraken-sdk {version} v2 order book: {book.updates} updates, checksums checked")
    for key in ("ticker", "trade", "ohlc", "executions", "balances", "level3", "add_order", "cancel_order", "exec new", "exec canceled", "heartbeat"):
        print(f"python-kraken-sdk {version} v2 {key}: {seen.get(key, 0)}")
    problems += book.problems
    if problems:
        raise AssertionError("; ".join(problems[:5]))
    if book.updates < 5:
        raise AssertionError("too few book updates")
    for key in ("ticker", "trade", "ohlc", "balances", "level3", "add_order", "cancel_order", "exec new", "exec canceled"):
        if seen.get(key, 0) < 1:
            raise AssertionError(f"no {key} seen: {seen}")


if __name__ == "__main__":
    TOKEN = sys.argv[4]
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[5]) if len(sys.argv) > 5 else 5.0))
