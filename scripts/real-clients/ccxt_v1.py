"""ccxt 4.4.90 (the last release whose Kraken book, ticker and trades use
WebSockets API v1) against the mock Kraken v1, offline.

usage: python ccxt_v1.py ws://127.0.0.1:PORT [SECONDS]

Watches the ticker, the order book at depth 10 with ccxt's checksum check
on, trades and OHLC candles of XBT/USD (BTC/USD in ccxt) for SECONDS
(default 5), and fails on any exception: a checksum mismatch, a book
shorter than its depth (ccxt indexes levels 0-9 for the checksum), a frame
ccxt cannot route. Prints one line per stream with the number of updates.
"""

import asyncio
import sys

import ccxt.pro as ccxtpro

# The markets ccxt would load over REST, for offline use: just what the
# WebSocket code reads (`info.wsname`).
MARKETS = [
    {
        "id": "XXBTZUSD",
        "symbol": "BTC/USD",
        "base": "BTC",
        "quote": "USD",
        "baseId": "XXBT",
        "quoteId": "ZUSD",
        "type": "spot",
        "spot": True,
        "active": True,
        "precision": {"amount": 1e-08, "price": 0.1},
        "limits": {"amount": {"min": 0.0001}, "price": {}, "cost": {}},
        "info": {"wsname": "XBT/USD", "altname": "XBTUSD"},
    }
]


async def count(name, watch, seconds, counts, check=None):
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        value = await asyncio.wait_for(watch(), timeout=10)
        if check is not None:
            check(value)
        counts[name] = counts.get(name, 0) + 1


def full_book(book):
    for side in ("asks", "bids"):
        if len(book[side]) < 10:
            raise AssertionError(f"the {side} of the book have {len(book[side])} levels, not 10")
    if book["asks"][0][0] <= book["bids"][0][0]:
        raise AssertionError(f"crossed book: {book['asks'][0]} <= {book['bids'][0]}")


async def main(url, seconds):
    exchange = ccxtpro.kraken({"newUpdates": False})
    exchange.urls["api"]["ws"]["public"] = url
    exchange.options["watchOrderBook"] = {"checksum": True}
    exchange.set_markets(MARKETS)
    counts = {}
    symbol = "BTC/USD"
    try:
        await asyncio.gather(
            count("ticker", lambda: exchange.watch_ticker(symbol), seconds, counts),
            count(
                "order book",
                lambda: exchange.watch_order_book(symbol, 10),
                seconds,
                counts,
                full_book,
            ),
            count("trades", lambda: exchange.watch_trades(symbol), seconds, counts),
            count("ohlcv", lambda: exchange.watch_ohlcv(symbol, "1m"), seconds, counts),
        )
    finally:
        await exchange.close()
    for name in ("ticker", "order book", "trades", "ohlcv"):
        print(f"ccxt {ccxtpro.__version__} v1 {name}: {counts.get(name, 0)} updates")
        if counts.get(name, 0) < 2:
            raise AssertionError(f"{name}: fewer than 2 updates in {seconds} s")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 5.0))
