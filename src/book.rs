//! A local copy of one pair's order book, kept from Kraken's `book` frames
//! the way Kraken's v1 guide says, with its CRC32 checksum: what a client
//! needs to trust its book, and what the mock server uses to write `c`.
//!
//! - A snapshot replaces the book. An update applies its levels in the
//!   order given (never sorted by timestamp); volume zero removes a level.
//! - After each update, each side is cut to the subscribed depth (levels
//!   that fall out get no delete).
//! - The checksum covers the top ten asks (lowest first) then the top ten
//!   bids (highest first): per level, price then volume as received, with
//!   `.` removed and leading zeros stripped, concatenated, CRC32 (IEEE) as
//!   an unsigned decimal.

use crate::kraken::channels::public::ServerMessage;
use crate::kraken::types;
use std::collections::BTreeMap;
use std::fmt;

/// A decimal string's value, for ordering levels without floats: the
/// integer part and up to 18 fractional digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Price(u128);

const SCALE: usize = 18;

impl Price {
    fn parse(text: &str) -> Option<Price> {
        let (int, frac) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) || !(frac.is_empty() || digits(frac)) || frac.len() > SCALE {
            return None;
        }
        let int: u128 = int.parse().ok()?;
        let mut frac = frac.to_string();
        while frac.len() < SCALE {
            frac.push('0');
        }
        let frac: u128 = frac.parse().ok()?;
        int.checked_mul(10u128.pow(SCALE as u32))?
            .checked_add(frac)
            .map(Price)
    }
}

/// Whether a decimal string is zero (a volume that removes its level).
pub fn is_zero(volume: &str) -> bool {
    volume.bytes().all(|b| b == b'0' || b == b'.')
}

/// One side of the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Asks: lowest price first.
    Ask,
    /// Bids: highest price first.
    Bid,
}

/// A price level: price and volume as Kraken wrote them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    /// The price, a decimal string.
    pub price: String,
    /// The volume, a decimal string.
    pub volume: String,
}

/// What is wrong with a book frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookError {
    /// A price or volume that is not a plain decimal string.
    BadNumber(String),
    /// The checksum in the frame is not the local book's.
    Checksum {
        /// The frame's `c`.
        expected: String,
        /// The local book's checksum.
        actual: u32,
    },
    /// An update arrived before any snapshot.
    NoSnapshot,
}

impl fmt::Display for BookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BookError::BadNumber(text) => write!(f, "`{text}` is not a decimal number"),
            BookError::Checksum { expected, actual } => write!(
                f,
                "checksum mismatch: the frame says {expected}, the local book gives {actual}"
            ),
            BookError::NoSnapshot => f.write_str("a book update arrived before the snapshot"),
        }
    }
}

impl std::error::Error for BookError {}

/// One pair's order book at a subscribed depth.
#[derive(Debug, Clone)]
pub struct Book {
    depth: usize,
    asks: BTreeMap<Price, Level>,
    bids: BTreeMap<Price, Level>,
    has_snapshot: bool,
}

impl Book {
    /// An empty book kept to `depth` levels a side.
    pub fn new(depth: usize) -> Self {
        Book {
            depth,
            asks: BTreeMap::new(),
            bids: BTreeMap::new(),
            has_snapshot: false,
        }
    }

    /// The subscribed depth.
    pub fn depth(&self) -> usize {
        self.depth
    }

    fn side_mut(&mut self, side: Side) -> &mut BTreeMap<Price, Level> {
        match side {
            Side::Ask => &mut self.asks,
            Side::Bid => &mut self.bids,
        }
    }

    /// Replaces the book with a snapshot's levels.
    pub fn snapshot<'a>(
        &mut self,
        asks: impl IntoIterator<Item = (&'a str, &'a str)>,
        bids: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<(), BookError> {
        self.asks.clear();
        self.bids.clear();
        self.has_snapshot = true;
        self.apply(Side::Ask, asks)?;
        self.apply(Side::Bid, bids)
    }

    /// Applies changed levels of one side, in order, then cuts the side to
    /// the depth.
    pub fn apply<'a>(
        &mut self,
        side: Side,
        levels: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<(), BookError> {
        let depth = self.depth;
        let book = self.side_mut(side);
        for (price, volume) in levels {
            let key = Price::parse(price).ok_or_else(|| BookError::BadNumber(price.into()))?;
            if Price::parse(volume).is_none() {
                return Err(BookError::BadNumber(volume.into()));
            }
            if is_zero(volume) {
                book.remove(&key);
            } else {
                book.insert(
                    key,
                    Level {
                        price: price.to_owned(),
                        volume: volume.to_owned(),
                    },
                );
            }
        }
        while book.len() > depth {
            let worst = match side {
                Side::Ask => book.keys().next_back().copied(),
                Side::Bid => book.keys().next().copied(),
            };
            if let Some(worst) = worst {
                book.remove(&worst);
            }
        }
        Ok(())
    }

    /// The best `n` levels of a side, best first.
    pub fn top(&self, side: Side, n: usize) -> Vec<&Level> {
        match side {
            Side::Ask => self.asks.values().take(n).collect(),
            Side::Bid => self.bids.values().rev().take(n).collect(),
        }
    }

    /// The lowest ask.
    pub fn best_ask(&self) -> Option<&Level> {
        self.asks.values().next()
    }

    /// The highest bid.
    pub fn best_bid(&self) -> Option<&Level> {
        self.bids.values().next_back()
    }

    /// Kraken's checksum of the book as it is.
    pub fn checksum(&self) -> u32 {
        fn digits(text: &str, out: &mut String) {
            let start = out.len();
            out.extend(text.chars().filter(|&c| c != '.'));
            let zeros = out[start..].bytes().take_while(|&b| b == b'0').count();
            out.replace_range(start..start + zeros, "");
        }
        let mut text = String::new();
        for side in [Side::Ask, Side::Bid] {
            for level in self.top(side, 10) {
                digits(&level.price, &mut text);
                digits(&level.volume, &mut text);
            }
        }
        crc32fast::hash(text.as_bytes())
    }

    /// Applies a book frame of the public channel (snapshot, update of one
    /// side, update of both) and checks its checksum; `Ok(false)` for frames
    /// that are not about the book.
    pub fn apply_frame(&mut self, frame: &ServerMessage) -> Result<bool, BookError> {
        let levels = |levels: &[types::BookUpdateLevel]| -> Vec<(String, String)> {
            levels
                .iter()
                .map(|l| {
                    let field = |i: usize| l.0.get(i).cloned().unwrap_or_default();
                    (field(0), field(1))
                })
                .collect()
        };
        let checksum = match frame {
            ServerMessage::BookSnapshot(snapshot) => {
                let sides = &snapshot.0 .1;
                let pairs = |levels: &[types::BookLevel]| -> Vec<(String, String)> {
                    levels
                        .iter()
                        .map(|l| (l.0 .0.clone(), l.0 .1.clone()))
                        .collect()
                };
                let (asks, bids) = (pairs(&sides.as_), pairs(&sides.bs));
                self.snapshot(as_strs(&asks), as_strs(&bids))?;
                return Ok(true);
            }
            ServerMessage::BookUpdate(update) => {
                if !self.has_snapshot {
                    return Err(BookError::NoSnapshot);
                }
                let side = &update.0 .1;
                let (asks, bids) = (levels(&side.a), levels(&side.b));
                self.apply(Side::Ask, as_strs(&asks))?;
                self.apply(Side::Bid, as_strs(&bids))?;
                side.c.as_ref().map(|c| c.to_string())
            }
            ServerMessage::BookUpdateBothSides(update) => {
                if !self.has_snapshot {
                    return Err(BookError::NoSnapshot);
                }
                let (asks, bids) = (&update.0 .1, &update.0 .2);
                let (a, b) = (levels(&asks.a), levels(&bids.b));
                self.apply(Side::Ask, as_strs(&a))?;
                self.apply(Side::Bid, as_strs(&b))?;
                bids.c.as_ref().or(asks.c.as_ref()).map(|c| c.to_string())
            }
            _ => return Ok(false),
        };
        if let Some(expected) = checksum {
            let actual = self.checksum();
            if expected != actual.to_string() {
                return Err(BookError::Checksum { expected, actual });
            }
        }
        Ok(true)
    }
}

fn as_strs(levels: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    levels.iter().map(|(p, v)| (p.as_str(), v.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The book of Kraken's v1 checksum guide.
    fn guide_book() -> Book {
        let asks = [
            "0.05005", "0.05010", "0.05015", "0.05020", "0.05025", "0.05030", "0.05035", "0.05040",
            "0.05045", "0.05050",
        ];
        let bids = [
            "0.05000", "0.04995", "0.04990", "0.04980", "0.04975", "0.04970", "0.04965", "0.04960",
            "0.04955", "0.04950",
        ];
        let mut book = Book::new(100);
        book.snapshot(
            asks.iter().map(|p| (*p, "0.00000500")),
            bids.iter().map(|p| (*p, "0.00000500")),
        )
        .unwrap();
        book
    }

    #[test]
    fn the_checksum_of_krakens_guide() {
        assert_eq!(guide_book().checksum(), 974947235);
    }

    #[test]
    fn updates_remove_insert_and_truncate() {
        let mut book = guide_book();
        let before = book.checksum();
        // Deeper levels do not count.
        book.apply(Side::Ask, [("0.06000", "1.0")]).unwrap();
        assert_eq!(book.checksum(), before);
        book.apply(Side::Bid, [("0.05000", "0.00000000")]).unwrap();
        assert_eq!(book.best_bid().unwrap().price, "0.04995");
        assert_ne!(book.checksum(), before);
        let mut shallow = Book::new(2);
        shallow
            .apply(Side::Bid, [("1.0", "1"), ("3.0", "1"), ("2.0", "1")])
            .unwrap();
        let prices: Vec<&str> = shallow
            .top(Side::Bid, 5)
            .iter()
            .map(|l| l.price.as_str())
            .collect();
        assert_eq!(prices, ["3.0", "2.0"]);
        assert_eq!(
            shallow.apply(Side::Ask, [("x", "1")]),
            Err(BookError::BadNumber("x".into()))
        );
    }

    #[test]
    fn frames_are_applied_and_checked() {
        let mut book = Book::new(10);
        let update = ServerMessage::from_json(
            r#"[1,{"a":[["5541.30000","2.50700000","1534614248.456738"]],"c":"1"},"book-10","XBT/USD"]"#,
        )
        .unwrap();
        assert_eq!(book.apply_frame(&update), Err(BookError::NoSnapshot));
        let snapshot = ServerMessage::from_json(
            r#"[1,{"as":[["5541.30000","2.50700000","1534614248.123678"]],"bs":[["5541.20000","1.52900000","1534614248.765567"]]},"book-10","XBT/USD"]"#,
        )
        .unwrap();
        assert_eq!(book.apply_frame(&snapshot), Ok(true));
        let mut expected = book.clone();
        expected
            .apply(Side::Ask, [("5541.30000", "2.60000000")])
            .unwrap();
        let good = format!(
            r#"[1,{{"a":[["5541.30000","2.60000000","1534614249.1"]],"c":"{}"}},"book-10","XBT/USD"]"#,
            expected.checksum()
        );
        assert_eq!(
            book.apply_frame(&ServerMessage::from_json(&good).unwrap()),
            Ok(true)
        );
        let bad = r#"[1,{"b":[["5541.20000","0.00000000","1534614249.2"]],"c":"12"},"book-10","XBT/USD"]"#;
        assert!(matches!(
            book.apply_frame(&ServerMessage::from_json(bad).unwrap()),
            Err(BookError::Checksum { .. })
        ));
        let heartbeat = ServerMessage::from_json(r#"{"event":"heartbeat"}"#).unwrap();
        assert_eq!(book.apply_frame(&heartbeat), Ok(false));
    }
}
