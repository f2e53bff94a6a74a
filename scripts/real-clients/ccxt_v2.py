"""ccxt 4.5.x (Kraken's ticker, book, trades and OHLC over WebSockets API
v2) against the mock Kraken v2, offline.

usage: python ccxt_v2.py ws://127.0.0.1:PORT/v2 [SECONDS]

Watches the ticker, the order book at depth 10 with ccxt's checksum check
on, trades and OHLC candles of BTC/USD for SECONDS (default 5), and fails
on any exception: a checksum mismatch, a book shorter than its depth (ccxt
reads levels 0-9 for the checksum), a frame ccxt cannot route, a missing
pong (ccxt drops a connection that does not answer its pings). Prints one
line per stream with the number of updates.

ccxt's v2 checksum is off by default and, switched on, cannot work as
released: it prints each number with `format_number`, which 4.5.90 calls
with floats (`'float' object has no attribute 'split'`) and which would not
pad to the pair's precision anyway. `Kraken` below keeps ccxt's own check
(its levels 0-9, its CRC32, its rejection of the stream) and replaces only
that formatting with Kraken's: the price with the pair's price decimals,
the quantity with 8, in the order ccxt asks (price, then quantity, per
level).
"""

import asyncio
import sys

import ccxt.pro as ccxtpro

PRICE_DECIMALS = 1  # BTC/USD
QTY_DECIMALS = 8

# The market ccxt would load over REST, for offline use.
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


class Kraken(ccxtpro.kraken):
    """ccxt's Kraken with the checksum's number formatting fixed."""

    checksum_numbers = 0

    def handle_order_book(self, client, message):
        self._calls = 0
        return super().handle_order_book(client, message)

    def format_number(self, data):
        decimals = PRICE_DECIMALS if self._calls % 2 == 0 else QTY_DECIMALS
        self._calls += 1
        Kraken.checksum_numbers += 1
        return f"{float(data):.{decimals}f}".replace(".", "").lstrip("0")


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
    exchange = Kraken({"newUpdates": False})
    exchange.urls["api"]["ws"]["publicV2"] = url
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
            count("ohlcv", lambda: exchange.watch_ohlcv(symbol, "5m"), seconds, counts),
        )
    finally:
        await exchange.close()
    for name in ("ticker", "order book", "trades", "ohlcv"):
        print(f"ccxt {ccxtpro.__version__} v2 {name}: {counts.get(name, 0)} updates")
        if counts.get(name, 0) < 2:
            raise AssertionError(f"{name}: fewer than 2 updates in {seconds} s")
    # 40 numbers per checked frame: the check did run.
    print(f"ccxt v2 order book: {Kraken.checksum_numbers // 40} checksums checked")
    if Kraken.checksum_numbers < 40 * counts["order book"] // 2:
        raise AssertionError("ccxt's checksum check did not run")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 5.0))
