//! Synthetic, deterministic market data for the mock: a random walk per
//! pair, from which tickers, trades, spreads, candles and books are made
//! with Kraken's formats (decimals as strings with each pair's fixed
//! decimals, timestamps as seconds with microseconds).

use std::time::{SystemTime, UNIX_EPOCH};

/// A small deterministic random number generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// A generator seeded from text (a pair name) and a number.
    pub fn for_pair(pair: &str, salt: u64) -> Self {
        // FNV-1a: stable across runs and platforms.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in pair.bytes() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        Rng(hash ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// A Kraken-shaped id, `PXXXXX-XXXXX-XXXXXX` (19 characters, `P` the
/// prefix: `O` for orders, `T` for trades, `L` for ledger entries).
pub fn kraken_id(rng: &mut Rng, prefix: char) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut id = String::from(prefix);
    for (i, len) in [6, 5, 6].into_iter().enumerate() {
        if i > 0 {
            id.push('-');
        }
        for _ in usize::from(i == 0)..len {
            id.push(ALPHABET[rng.below(ALPHABET.len() as u64) as usize] as char);
        }
    }
    id
}

/// How a pair's numbers are written.
#[derive(Debug, Clone, Copy)]
pub struct Format {
    /// Decimals of prices.
    pub price_decimals: usize,
    /// Decimals of volumes.
    pub volume_decimals: usize,
    /// The smallest price step, in units of the last price decimal.
    pub tick: u64,
}

/// Kraken's `wsname` pairs the mock knows well; any other well-formed pair
/// (`ABC/DEF`) gets a price made up from its name.
pub fn is_valid_pair(pair: &str) -> bool {
    let Some((base, quote)) = pair.split_once('/') else {
        return false;
    };
    let ok = |s: &str| (2..=5).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_uppercase());
    ok(base) && ok(quote)
}

/// A starting price (in ticks) and format for a pair.
fn start(pair: &str) -> (u64, Format) {
    let fmt = |price_decimals, tick| Format {
        price_decimals,
        volume_decimals: 8,
        tick,
    };
    match pair {
        "XBT/USD" | "XBT/EUR" => (4_224_320_000, fmt(5, 10_000)),
        "ETH/USD" | "ETH/EUR" => (230_512_000, fmt(5, 1_000)),
        "ETH/XBT" => (5_450_000, fmt(8, 100)),
        _ => {
            let mut rng = Rng::for_pair(pair, 0);
            (1_000_000 + rng.below(50_000_000), fmt(5, 100))
        }
    }
}

/// Formats `units` (in units of the last decimal) with `decimals` decimals.
pub fn decimal(units: u64, decimals: usize) -> String {
    let scale = 10u64.pow(decimals as u32);
    if decimals == 0 {
        return units.to_string();
    }
    format!(
        "{}.{:0width$}",
        units / scale,
        units % scale,
        width = decimals
    )
}

/// A decimal string with `decimals` decimals in units of its last decimal
/// (the inverse of [`decimal`]).
pub fn units(text: &str, decimals: usize) -> Option<u64> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > decimals {
        return None;
    }
    let int: u64 = int.parse().ok()?;
    let scale = 10u64.pow((decimals - frac.len()) as u32);
    let frac: u64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    let frac = frac * scale;
    int.checked_mul(10u64.pow(decimals as u32))?
        .checked_add(frac)
}

/// The current time as Kraken writes it: seconds with microseconds.
pub fn timestamp() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!("{}.{:06}", now.as_secs(), now.subsec_micros())
}

/// The current time in whole seconds.
pub fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// `seconds` since the epoch as `2020-12-21T09:37:09Z`.
pub fn iso8601(seconds: u64) -> String {
    // Days to civil date (Howard Hinnant's algorithm).
    let days = (seconds / 86_400) as i64;
    let rem = seconds % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

/// One pair's simulated market: a random walk of the mid price.
#[derive(Debug, Clone)]
pub struct Market {
    /// The pair.
    pub pair: String,
    /// How its numbers are written.
    pub format: Format,
    /// The mid price, in units of the last price decimal.
    pub mid: u64,
    /// The random source.
    pub rng: Rng,
}

impl Market {
    /// The market of `pair`, seeded with `salt`.
    pub fn new(pair: &str, salt: u64) -> Self {
        let (mid, format) = start(pair);
        Market {
            pair: pair.to_owned(),
            format,
            mid,
            rng: Rng::for_pair(pair, salt),
        }
    }

    /// Moves the mid price a few ticks.
    pub fn step(&mut self) {
        let ticks = self.rng.below(7) as i64 - 3;
        let delta = ticks * self.format.tick as i64;
        self.mid = (self.mid as i64 + delta).max(self.format.tick as i64 * 10) as u64;
    }

    /// A price `ticks` ticks from the mid (negative: below).
    pub fn price_at(&self, ticks: i64) -> String {
        let units =
            (self.mid as i64 + ticks * self.format.tick as i64).max(self.format.tick as i64);
        decimal(units as u64, self.format.price_decimals)
    }

    /// A random volume between 0.001 and about 5.
    pub fn volume(&mut self) -> String {
        let units = 100_000 + self.rng.below(500_000_000);
        decimal(units, self.format.volume_decimals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(decimal(4_224_320_000, 5), "42243.20000");
        assert_eq!(decimal(500, 8), "0.00000500");
        assert_eq!(units("42243.2", 5), Some(4_224_320_000));
        assert_eq!(units("0.00000500", 8), Some(500));
        assert_eq!(units("1.123456", 5), None);
        assert_eq!(iso8601(1_608_543_429), "2020-12-21T09:37:09Z");
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert!(is_valid_pair("XBT/USD"));
        let id = kraken_id(&mut Rng::new(1), 'O');
        assert_eq!(
            (id.len(), &id[..1], &id[6..7], &id[12..13]),
            (19, "O", "-", "-")
        );
        assert!(!is_valid_pair("XBTUSD"));
        assert!(!is_valid_pair("xbt/usd"));
    }

    #[test]
    fn markets_are_deterministic() {
        let mut a = Market::new("XBT/USD", 7);
        let mut b = Market::new("XBT/USD", 7);
        for _ in 0..100 {
            a.step();
            b.step();
        }
        assert_eq!(a.mid, b.mid);
        assert_eq!(a.volume(), b.volume());
    }
}
