"""python-kraken-sdk 2.3.0 (the last release with a WebSockets API v1
client) against the mock Kraken v1 over wss, offline.

usage: SSL_CERT_FILE=cert.pem python kraken_sdk_v1.py HOST:PORT [SECONDS]

The SDK dials only `wss://` and verifies the certificate, so the mock runs
with `--tls-generate DIR` and SSL_CERT_FILE names its certificate. Keeps a
depth-10 order book of XBT/USD with the SDK's own checksum check and
subscribes to the ticker, for SECONDS (default 5). Fails on a checksum
mismatch, an error frame, a subscription refused, or too few updates.
"""

import asyncio
import sys

from kraken.spot import OrderbookClientV1
from kraken.spot.websocket import KrakenSpotWSClientBase


class Book(OrderbookClientV1):
    def __init__(self):
        super().__init__(depth=10)
        self.updates = 0
        self.problems = []

    async def on_book_update(self, pair, message):
        if isinstance(message, list) and message and isinstance(message[0], dict) and "error" in message[0]:
            self.problems.append(message[0]["error"])
            return
        book = self.get(pair)
        for side in ("ask", "bid"):
            if len(book[side]) < 10:
                self.problems.append(f"the {side} side has {len(book[side])} levels, not 10")
        self.updates += 1


async def main(endpoint, seconds):
    # The SDK reads its endpoint from class attributes.
    KrakenSpotWSClientBase.PROD_ENV_URL = endpoint
    tickers = []
    statuses = []

    book = Book()
    await book.add_book(pairs=["XBT/USD"])

    async def on_message(message):
        if isinstance(message, dict):
            if message.get("event") == "subscriptionStatus":
                statuses.append(message)
            if "errorMessage" in message:
                book.problems.append(message["errorMessage"])
        elif isinstance(message, list) and "ticker" in message:
            tickers.append(message)

    from kraken.spot import KrakenSpotWSClientV1

    client = KrakenSpotWSClientV1(callback=on_message)
    await asyncio.sleep(0.5)
    await client.subscribe(subscription={"name": "ticker"}, pair=["XBT/USD"])
    await asyncio.sleep(seconds)
    for c in (client, book.ws_client):
        if c.exception_occur:
            book.problems.append("the SDK's websocket client reported an exception")
        # The SDK has no close(): its connection is a task.
        if c._pub_conn is not None:
            c._pub_conn.task.cancel()
    print(f"python-kraken-sdk 2.3.0 v1 order book: {book.updates} updates, checksums checked")
    print(f"python-kraken-sdk 2.3.0 v1 ticker: {len(tickers)} updates")
    if book.problems:
        raise AssertionError("; ".join(book.problems[:5]))
    if book.updates < 5 or len(tickers) < 2:
        raise AssertionError("too few updates")
    if not any(s.get("status") == "subscribed" and s.get("subscription", {}).get("name") == "ticker" for s in statuses):
        raise AssertionError(f"no subscriptionStatus for the ticker: {statuses}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 5.0))
