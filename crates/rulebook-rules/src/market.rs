//! Markets: ISO 3166-1 alpha-2 codes as small copyable values, sets of them
//! as bitsets, and the table of codes that name a region (CLDR's English
//! list, built in). The bottom of the crate: it imports nothing of it.

use std::fmt;
use std::sync::OnceLock;

const EN_REGIONS: &str = include_str!("../../../locales/en/regions.tsv");

/// A market: an ISO 3166-1 alpha-2 code, stored as its index in 26 x 26.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Market(u16);

impl Market {
    /// Two ASCII letters, either case; no check that the code is assigned
    /// ([`is_region`] checks that).
    pub fn from_code(code: &str) -> Option<Market> {
        match code.as_bytes() {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                let a = u16::from(a.to_ascii_uppercase() - b'A');
                let b = u16::from(b.to_ascii_uppercase() - b'A');
                Some(Market(a * 26 + b))
            }
            _ => None,
        }
    }

    /// 0..676, for bitsets and tables.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    /// The upper-case code.
    pub fn code(self) -> [u8; 2] {
        // Both quotients are < 26 by construction.
        [b'A' + (self.0 / 26) as u8, b'A' + (self.0 % 26) as u8]
    }

    /// The upper-case code as text, without allocating.
    pub fn as_str(&self) -> MarketCode {
        MarketCode(self.code())
    }
}

/// A market code as text without allocating.
pub struct MarketCode([u8; 2]);

impl std::ops::Deref for MarketCode {
    type Target = str;
    fn deref(&self) -> &str {
        // Two ASCII capitals are always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for Market {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

impl fmt::Debug for Market {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Market({self})")
    }
}

/// 26 x 26 bits, one per possible two-letter code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct MarketSet([u64; 11]);

impl MarketSet {
    pub(crate) fn insert(&mut self, m: Market) {
        let i = m.index();
        self.0[i / 64] |= 1 << (i % 64);
    }

    #[inline]
    pub(crate) fn contains(&self, m: Market) -> bool {
        let i = m.index();
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
}

/// Market names indexed by [`Market::index`].
pub(crate) type RegionNames = Vec<Option<Box<str>>>;

/// The built-in English names (CLDR), also the list of codes that are
/// regions.
pub(crate) fn english_regions() -> RegionNames {
    parse_regions(EN_REGIONS)
}

/// Whether `market` is an ISO 3166-1 region (CLDR's English list).
pub fn is_region(market: Market) -> bool {
    static KNOWN: OnceLock<RegionNames> = OnceLock::new();
    KNOWN
        .get_or_init(english_regions)
        .get(market.index())
        .is_some_and(Option::is_some)
}

/// `CODE<TAB>Name` lines after `#` comments; the first name for a code is
/// CLDR's display name.
pub(crate) fn parse_regions(text: &str) -> RegionNames {
    let mut names: RegionNames = vec![None; 26 * 26];
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some((code, name)) = line.split_once('\t') else {
            continue;
        };
        if let Some(m) = Market::from_code(code.trim())
            && let Some(slot @ None) = names.get_mut(m.index())
        {
            *slot = Some(name.trim().into());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn market_bitset_holds_every_code() {
        let mut set = MarketSet::default();
        set.insert(Market::from_code("ZZ").unwrap());
        set.insert(Market::from_code("AA").unwrap());
        assert!(set.contains(Market::from_code("zz").unwrap()));
        assert!(!set.contains(Market::from_code("ZY").unwrap()));
        assert!(set.contains(Market::from_code("AA").unwrap()));
    }

    #[test]
    fn regions_are_the_assigned_codes() {
        assert!(is_region(Market::from_code("BR").unwrap()));
        assert!(!is_region(Market::from_code("QQ").unwrap()));
    }
}
