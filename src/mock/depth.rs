//! A simulated order book kept at its subscribed depth, as real Kraken
//! keeps it: the market holds more levels than a subscriber sees, and when
//! a visible level goes, the update that deletes it also carries the level
//! that moves into the top N (marked as republished), so a depth-N book
//! always has N levels a side while the market has them. Real clients rely
//! on this: ccxt's v1 checksum reads levels 0–9 of each side directly.
//!
//! The simulation is protocol-neutral: it yields level changes; each face
//! of the mock writes them in its own frame format.

use super::market::{decimal, units, Market};
use crate::book::{is_zero, Book, Side};

/// Levels the market keeps beyond what a subscriber sees, so that deleted
/// visible levels can be refilled.
const RESERVE: usize = 10;

/// Visible levels of the largest books (a mock need not simulate 1,000).
const MAX_VISIBLE: usize = 100;

/// Levels of one side, best first, as (price, volume).
pub type Levels = Vec<(String, String)>;

/// One changed level, as a subscriber must apply it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The price, with the pair's decimals.
    pub price: String,
    /// The new volume; all zeros deletes the level.
    pub volume: String,
    /// The level was in the market already and now enters the visible
    /// depth because a level above it went (Kraken's `"r"`).
    pub republish: bool,
}

/// The changes of one update, per side (asks, bids); an empty side has no
/// change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Update {
    /// Changed ask levels, deletions first.
    pub asks: Vec<Change>,
    /// Changed bid levels, deletions first.
    pub bids: Vec<Change>,
}

/// The market's book behind one book subscription.
#[derive(Debug, Clone)]
pub struct DepthBook {
    visible: usize,
    market: Book,
}

impl DepthBook {
    /// A book whose subscriber sees `depth` levels a side (at most
    /// [`MAX_VISIBLE`]).
    pub fn new(depth: usize) -> Self {
        let visible = depth.clamp(1, MAX_VISIBLE);
        DepthBook {
            visible,
            market: Book::new(visible + RESERVE),
        }
    }

    /// Fills the market around `market`'s mid price and returns the visible
    /// levels (asks, bids), best first, as (price, volume).
    pub fn snapshot(&mut self, market: &mut Market) -> (Levels, Levels) {
        let size = (self.visible + RESERVE) as i64;
        let mut side = |sign: i64| -> Levels {
            (1..=size)
                .map(|i| (market.price_at(sign * i), market.volume()))
                .collect()
        };
        let (asks, bids) = (side(1), side(-1));
        // Prices and volumes are made by `Market`, so they always parse.
        let _ = self.market.snapshot(
            asks.iter().map(|(p, v)| (p.as_str(), v.as_str())),
            bids.iter().map(|(p, v)| (p.as_str(), v.as_str())),
        );
        (self.top(Side::Ask), self.top(Side::Bid))
    }

    /// Moves the market a little (new volumes, removed levels, new levels
    /// near the top, on one side or both) and returns what changed in the
    /// visible depth. Empty when nothing visible changed.
    pub fn update(&mut self, market: &mut Market) -> Update {
        let both = market.rng.chance(0.25);
        let sides = if both {
            vec![Side::Ask, Side::Bid]
        } else if market.rng.chance(0.5) {
            vec![Side::Ask]
        } else {
            vec![Side::Bid]
        };
        let mut update = Update::default();
        for side in sides {
            let before = self.top(side);
            let changes = self.market_changes(market, side);
            let pairs: Vec<(&str, &str)> = changes
                .iter()
                .map(|(p, v)| (p.as_str(), v.as_str()))
                .collect();
            let _ = self.market.apply(side, pairs);
            self.refill(market, side);
            let after = self.top(side);
            let diff = visible_changes(&before, &after, &changes);
            match side {
                Side::Ask => update.asks = diff,
                Side::Bid => update.bids = diff,
            }
        }
        update
    }

    /// The visible levels (asks, bids), best first, as (price, volume).
    pub fn visible(&self) -> (Levels, Levels) {
        (self.top(Side::Ask), self.top(Side::Bid))
    }

    /// Kraken's checksum of the visible book (its top 10 levels).
    pub fn checksum(&self) -> u32 {
        self.market.checksum()
    }

    /// The visible levels of a side, best first.
    fn top(&self, side: Side) -> Levels {
        self.market
            .top(side, self.visible)
            .into_iter()
            .map(|l| (l.price.clone(), l.volume.clone()))
            .collect()
    }

    /// Random changes near the top of one side of the market: a new volume,
    /// a removal, or a new level. Asks stay above the best bid and bids
    /// below the best ask, so the book never crosses.
    fn market_changes(&self, market: &mut Market, side: Side) -> Vec<(String, String)> {
        let decimals = market.format.price_decimals;
        let tick = market.format.tick;
        let anchor = match side {
            Side::Ask => self.market.best_bid(),
            Side::Bid => self.market.best_ask(),
        };
        let anchor = anchor
            .and_then(|l| units(&l.price, decimals))
            .unwrap_or(market.mid);
        let span = self.visible.min(25) as u64 + 2;
        (0..1 + market.rng.below(2))
            .map(|_| {
                let ticks = 1 + market.rng.below(span);
                let price = match side {
                    Side::Ask => anchor + ticks * tick,
                    Side::Bid => anchor.saturating_sub(ticks * tick).max(tick),
                };
                let volume = if market.rng.chance(0.2) {
                    decimal(0, market.format.volume_decimals)
                } else {
                    market.volume()
                };
                (decimal(price, decimals), volume)
            })
            .collect()
    }

    /// Adds levels beyond the worst one until the market holds its full
    /// size again, so that the visible depth can always be refilled.
    fn refill(&mut self, market: &mut Market, side: Side) {
        let decimals = market.format.price_decimals;
        let tick = market.format.tick;
        let size = self.visible + RESERVE;
        loop {
            let levels = self.market.top(side, size);
            if levels.len() >= size {
                return;
            }
            let worst = levels.last().and_then(|l| units(&l.price, decimals));
            let price = match (side, worst) {
                (Side::Ask, Some(worst)) => worst + tick,
                (Side::Ask, None) => market.mid + tick,
                (Side::Bid, Some(worst)) if worst > tick => worst - tick,
                (Side::Bid, Some(_)) => return,
                (Side::Bid, None) => market.mid.saturating_sub(tick).max(tick),
            };
            let volume = market.volume();
            let price = decimal(price, decimals);
            let _ = self.market.apply(side, [(price.as_str(), volume.as_str())]);
        }
    }
}

/// What a subscriber must apply to turn the visible levels `before` into
/// `after`: deletions of visible levels that left the market first, then
/// new and changed levels. Levels pushed below the depth by a new one are
/// not deleted: subscribers cut their book to the depth themselves.
fn visible_changes(
    before: &[(String, String)],
    after: &[(String, String)],
    market_changes: &[(String, String)],
) -> Vec<Change> {
    let mut out = Vec::new();
    for (price, volume) in before {
        let deleted = market_changes.iter().any(|(p, v)| p == price && is_zero(v));
        if deleted && !after.iter().any(|(p, _)| p == price) {
            out.push(Change {
                price: price.clone(),
                volume: volume
                    .chars()
                    .map(|c| if c == '.' { '.' } else { '0' })
                    .collect(),
                republish: false,
            });
        }
    }
    for (price, volume) in after {
        match before.iter().find(|(p, _)| p == price) {
            Some((_, old)) if old == volume => {}
            Some(_) => out.push(Change {
                price: price.clone(),
                volume: volume.clone(),
                republish: false,
            }),
            None => out.push(Change {
                price: price.clone(),
                volume: volume.clone(),
                republish: !market_changes.iter().any(|(p, _)| p == price),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A subscriber's book, fed only what the mock sends, stays equal to
    /// the market's visible depth, full at every step, with matching
    /// checksums.
    #[test]
    fn a_subscriber_book_stays_full_and_in_step() {
        for depth in [10usize, 25, 100] {
            let mut market = Market::new("XBT/USD", depth as u64);
            let mut feed = DepthBook::new(depth);
            let mut client = Book::new(depth);
            let (asks, bids) = feed.snapshot(&mut market);
            let pairs = |l: &[(String, String)]| {
                l.iter()
                    .map(|(p, v)| (p.clone(), v.clone()))
                    .collect::<Vec<_>>()
            };
            let (a, b) = (pairs(&asks), pairs(&bids));
            client
                .snapshot(
                    a.iter().map(|(p, v)| (p.as_str(), v.as_str())),
                    b.iter().map(|(p, v)| (p.as_str(), v.as_str())),
                )
                .unwrap();
            let mut deletions = 0;
            let mut republished = 0;
            for _ in 0..2_000 {
                let update = feed.update(&mut market);
                for (side, changes) in [(Side::Ask, &update.asks), (Side::Bid, &update.bids)] {
                    deletions += changes.iter().filter(|c| is_zero(&c.volume)).count();
                    republished += changes.iter().filter(|c| c.republish).count();
                    client
                        .apply(
                            side,
                            changes
                                .iter()
                                .map(|c| (c.price.as_str(), c.volume.as_str())),
                        )
                        .unwrap();
                }
                for side in [Side::Ask, Side::Bid] {
                    assert_eq!(client.top(side, depth).len(), feed.visible);
                    let mine: Vec<_> = client
                        .top(side, depth)
                        .into_iter()
                        .map(|l| (l.price.clone(), l.volume.clone()))
                        .collect();
                    assert_eq!(mine, feed.top(side));
                }
                assert_eq!(client.checksum(), feed.checksum());
                let (ask, bid) = (client.best_ask().unwrap(), client.best_bid().unwrap());
                assert!(units(&ask.price, 5) > units(&bid.price, 5), "crossed book");
            }
            assert!(deletions > 100, "the simulation deletes visible levels");
            assert!(republished > 50, "and refills them");
        }
    }
}
