//! A local copy of one symbol's order book, kept from Kraken's v2 `book`
//! frames, with the v2 checksum: what a v2 client needs to trust its book,
//! and what the mock's v2 face uses to write `checksum`.
//!
//! v2 sends prices and quantities as JSON numbers, so the checksum cannot
//! be taken over the text received: Kraken prints each price with the
//! pair's price precision (`price_precision` of the `instrument` channel)
//! and each quantity with 8 decimals, then proceeds as in v1 (`.` removed,
//! leading zeros stripped, top ten asks lowest first then top ten bids
//! highest first, CRC32). The levels are kept by [`crate::book::Book`],
//! whose checksum over those printed levels is exactly v2's.

use crate::book::{Book, BookError, Side};
use crate::kraken_v2::types;

/// Decimals of quantities in the checksum.
pub const QTY_DECIMALS: usize = 8;

/// A price or quantity printed with `decimals` decimals, as the checksum
/// reads it. `None` for a value that is not a finite, non-negative number.
pub fn print(value: f64, decimals: usize) -> Option<String> {
    (value.is_finite() && value >= 0.0).then(|| format!("{value:.decimals$}"))
}

/// Kraken's v2 checksum of a book's levels, each side best first, prices
/// printed with `price_precision` decimals. Only the first ten levels of
/// each side count.
pub fn checksum(asks: &[(f64, f64)], bids: &[(f64, f64)], price_precision: usize) -> u32 {
    let mut book = Book::new(10);
    let side = |levels: &[(f64, f64)]| -> Vec<(String, String)> {
        levels
            .iter()
            .take(10)
            .filter_map(|&(p, q)| Some((print(p, price_precision)?, print(q, QTY_DECIMALS)?)))
            .collect()
    };
    let (asks, bids) = (side(asks), side(bids));
    // Printed numbers always parse.
    let _ = book.snapshot(pairs(&asks), pairs(&bids));
    book.checksum()
}

/// Borrows printed levels as the `(price, quantity)` pairs `Book` takes.
fn pairs(levels: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    levels.iter().map(|(p, q)| (p.as_str(), q.as_str()))
}

/// One symbol's book at a subscribed depth, from v2 frames.
#[derive(Debug, Clone)]
pub struct BookV2 {
    book: Book,
    price_precision: usize,
    has_snapshot: bool,
}

impl BookV2 {
    /// An empty book kept to `depth` levels a side, for a pair whose prices
    /// have `price_precision` decimals.
    pub fn new(depth: usize, price_precision: usize) -> Self {
        BookV2 {
            book: Book::new(depth),
            price_precision,
            has_snapshot: false,
        }
    }

    /// Applies one entry of a `book` frame's `data` (a snapshot replaces
    /// the book, an update changes it) and checks its checksum.
    pub fn apply(
        &mut self,
        kind: &types::DataType,
        data: &types::BookData,
    ) -> Result<(), BookError> {
        let levels = |levels: &[types::PriceLevel]| -> Result<Vec<(String, String)>, BookError> {
            levels
                .iter()
                .map(|l| {
                    let price = print(l.price, self.price_precision)
                        .ok_or_else(|| BookError::BadNumber(l.price.to_string()))?;
                    let qty = print(l.qty, QTY_DECIMALS)
                        .ok_or_else(|| BookError::BadNumber(l.qty.to_string()))?;
                    Ok((price, qty))
                })
                .collect()
        };
        let (asks, bids) = (levels(&data.asks)?, levels(&data.bids)?);
        match kind {
            types::DataType::Snapshot => {
                self.book.snapshot(pairs(&asks), pairs(&bids))?;
                self.has_snapshot = true;
            }
            types::DataType::Update => {
                if !self.has_snapshot {
                    return Err(BookError::NoSnapshot);
                }
                self.book.apply(Side::Ask, pairs(&asks))?;
                self.book.apply(Side::Bid, pairs(&bids))?;
            }
        }
        let actual = self.book.checksum();
        if actual != data.checksum {
            return Err(BookError::Checksum {
                expected: data.checksum.to_string(),
                actual,
            });
        }
        Ok(())
    }

    /// The best `n` levels of a side, best first, as printed for the
    /// checksum (price, quantity).
    pub fn top(&self, side: Side, n: usize) -> Vec<(&str, &str)> {
        self.book
            .top(side, n)
            .into_iter()
            .map(|l| (l.price.as_str(), l.volume.as_str()))
            .collect()
    }

    /// The checksum of the book as it is.
    pub fn checksum(&self) -> u32 {
        self.book.checksum()
    }

    /// The underlying book of printed levels.
    pub fn book(&self) -> &Book {
        &self.book
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The book of the spec's `book` examples (BTC/USD, price precision
    /// 1), whose checksums were computed apart from this code.
    #[test]
    fn checksums_of_the_spec_examples() {
        let asks = [(42243.3, 0.5), (42243.5, 1.25), (42244.1, 0.03)];
        let bids = [(42243.2, 2.5), (42242.9, 0.1), (42241.7, 4.5)];
        assert_eq!(checksum(&asks, &bids, 1), 3_900_005_675);
        let bids = [(42243.2, 2.5), (42241.7, 4.5), (42240.1, 0.75)];
        assert_eq!(checksum(&asks, &bids, 1), 999_057_546);
    }

    #[test]
    fn quantities_count_with_eight_decimals() {
        assert_eq!(print(1.5, QTY_DECIMALS).unwrap(), "1.50000000");
        assert_eq!(print(0.5666, 4).unwrap(), "0.5666");
        assert_eq!(print(f64::NAN, 1), None);
        assert_eq!(print(-1.0, 1), None);
    }
}
