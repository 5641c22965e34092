//! The site search index, built once per locale. mdBook's index drops long
//! runs of Chinese and Japanese (written without spaces, such a run reads as
//! one huge "word"); here text is cut into Latin words and, inside CJK runs,
//! overlapping character pairs, so a query of any length is found by the
//! pairs it consists of. `rulebook.js` cuts queries the same way.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use serde::Serialize;

/// Unspaced scripts: kana, CJK ideographs, half-width katakana, Hangul.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff | 0xff66..=0xff9f | 0xac00..=0xd7af)
}

/// Search tokens of a text: lower-case words, CJK character pairs (a lone
/// CJK character stands for itself).
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(text, |t| out.push(t.to_owned()));
    out
}

/// Call `f` with each search token of a text, in order, from one reused
/// buffer: indexing a page allocates only for tokens the index lacks.
pub(crate) fn for_each_token(text: &str, mut f: impl FnMut(&str)) {
    let mut word = String::new();
    // the CJK run so far: its last character, and whether it has only one
    let mut last: Option<char> = None;
    let mut run_len = 0usize;
    let mut pair = String::new();
    let end_run = |last: &mut Option<char>, run_len: &mut usize, f: &mut dyn FnMut(&str)| {
        if *run_len == 1
            && let Some(c) = *last
        {
            let mut buf = [0u8; 4];
            f(c.encode_utf8(&mut buf));
        }
        *last = None;
        *run_len = 0;
    };
    for c in text.chars() {
        if is_cjk(c) {
            if !word.is_empty() {
                f(&word);
                word.clear();
            }
            if let Some(prev) = last {
                pair.clear();
                pair.push(prev);
                pair.push(c);
                f(&pair);
            }
            last = Some(c);
            run_len += 1;
        } else {
            end_run(&mut last, &mut run_len, &mut f);
            if c.is_alphanumeric() {
                word.extend(c.to_lowercase());
            } else if !word.is_empty() {
                f(&word);
                word.clear();
            }
        }
    }
    end_run(&mut last, &mut run_len, &mut f);
    if !word.is_empty() {
        f(&word);
    }
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
struct Page {
    url: String,
    title: String,
}

/// An index being filled page by page.
#[derive(Debug, Default)]
pub(crate) struct SearchIndex {
    pages: Vec<Page>,
    /// token → its place in `lists`; sorted by token only when written,
    /// for stable bytes.
    tokens: FxHashMap<String, u32>,
    /// Each token's pages, ascending (pages are added in order).
    lists: Vec<Vec<u32>>,
    /// The previous index's token numbers → places in `lists` (`u32::MAX`:
    /// not seen yet), so that a reused page's tokens are found by number,
    /// not hashed again: most of a one-edit rebuild's index is such pages.
    from_old: Vec<u32>,
    /// Which previous index `from_old` is for (its address).
    old_id: usize,
}

impl SearchIndex {
    pub(crate) fn add(&mut self, url: &str, title: &str, text: &str) {
        let id = self.pages.len() as u32;
        self.pages.push(Page {
            url: url.to_owned(),
            title: title.to_owned(),
        });
        let mut note = |t: &str| {
            let slot = self.slot(t);
            push(&mut self.lists[slot as usize], id);
        };
        for_each_token(title, &mut note);
        for_each_token(text, &mut note);
    }

    /// Add a page as an earlier index held it (a page reused unchanged);
    /// false when that index has no such page.
    pub(crate) fn add_from(&mut self, url: &str, title: &str, old: &OldIndex) -> bool {
        let Some(ids) = old.pages.get(url) else {
            return false;
        };
        let id = self.pages.len() as u32;
        self.pages.push(Page {
            url: url.to_owned(),
            title: title.to_owned(),
        });
        let old_id = old as *const OldIndex as usize;
        if self.old_id != old_id {
            self.old_id = old_id;
            self.from_old.clear();
        }
        self.from_old.resize(old.tokens.len(), u32::MAX);
        for &i in ids {
            let Some(token) = old.tokens.get(i as usize) else {
                continue;
            };
            let slot = match self.from_old[i as usize] {
                u32::MAX => {
                    let slot = self.slot(token);
                    self.from_old[i as usize] = slot;
                    slot
                }
                slot => slot,
            };
            push(&mut self.lists[slot as usize], id);
        }
        true
    }

    /// The place of `t`'s pages in `lists`, made if new (a token is copied
    /// only the first time the index sees it).
    fn slot(&mut self, t: &str) -> u32 {
        match self.tokens.get(t) {
            Some(&slot) => slot,
            None => {
                let slot = self.lists.len() as u32;
                self.tokens.insert(t.to_owned(), slot);
                self.lists.push(Vec::new());
                slot
            }
        }
    }

    /// Page URLs holding every token of `query` (what the page script does);
    /// the unit tests' reader of an index.
    #[cfg(test)]
    pub(crate) fn search(&self, query: &str) -> Vec<&str> {
        use std::collections::BTreeSet;
        let mut hits: Option<BTreeSet<u32>> = None;
        for t in tokens(query) {
            let pages: BTreeSet<u32> = self
                .tokens
                .get(&t)
                .and_then(|&slot| self.lists.get(slot as usize))
                .into_iter()
                .flatten()
                .copied()
                .collect();
            hits = Some(match hits {
                None => pages,
                Some(h) => h.intersection(&pages).copied().collect(),
            });
        }
        hits.unwrap_or_default()
            .into_iter()
            .filter_map(|i| self.pages.get(i as usize).map(|p| p.url.as_str()))
            .collect()
    }

    /// One shard of a locale's index, `search-index-<n>.js`: a script, so
    /// the site also works from `file://`. A shard holds a run of the
    /// book's pages (numbered from 0 within it) and the tokens they have;
    /// `rulebook.js` searches the shards in order and joins their hits.
    pub(crate) fn to_shard_script(&self, n: usize) -> String {
        // Serialized straight from the maps: a `serde_json::Value` tree of
        // every posting would cost tens of bytes per page per token.
        #[derive(Serialize)]
        struct Script<'a> {
            pages: &'a [Page],
            tokens: BTreeMap<&'a String, &'a Vec<u32>>,
        }
        let json = serde_json::to_string(&Script {
            pages: &self.pages,
            tokens: self
                .tokens
                .iter()
                .filter_map(|(t, &slot)| Some((t, self.lists.get(slot as usize)?)))
                .collect(),
        })
        .unwrap_or_default();
        format!("{SHARD_START}{n}] = {json};\n")
    }
}

/// How a shard script starts, before its number.
const SHARD_START: &str = "(window.RULEBOOK_SEARCH_SHARDS = window.RULEBOOK_SEARCH_SHARDS || [])[";

/// The file of shard `n` (from 0) of a locale's index.
pub(crate) fn shard_file(n: usize) -> String {
    format!("search-index-{}.js", n + 1)
}

/// How `search-index.js` starts, before its JSON.
const LOADER_START: &str = "window.RULEBOOK_SEARCH = ";

/// `search-index.js`, what every page loads: the list of the locale's
/// shards, which `rulebook.js` loads in turn. An edit of one page rewrites
/// its shard and leaves the others as they are.
pub(crate) fn loader_script(shards: usize) -> String {
    let files: Vec<String> = (0..shards).map(shard_file).collect();
    let json = serde_json::to_string(&serde_json::json!({ "shards": files })).unwrap_or_default();
    format!("{LOADER_START}{json};\n")
}

/// Record that page `id` holds a token whose pages are `pages` (pages
/// arrive in order, so a list ends with the page if it has it already).
fn push(pages: &mut Vec<u32>, id: u32) {
    if pages.last() != Some(&id) {
        pages.push(id);
    }
}

/// An earlier build's index read back from its `search-index.js`: each
/// page's tokens (as numbers into one token table), for pages reused
/// unchanged.
#[derive(Debug, Default)]
pub(crate) struct OldIndex {
    tokens: Vec<String>,
    pages: HashMap<String, Vec<u32>>,
}

impl OldIndex {
    /// A shard script ([`SearchIndex::to_shard_script`]) read back.
    pub(crate) fn read(script: &str) -> Option<OldIndex> {
        #[derive(serde::Deserialize)]
        struct Script {
            pages: Vec<Page>,
            tokens: FxHashMap<String, Vec<u32>>,
        }
        let rest = script.strip_prefix(SHARD_START)?;
        let (_, rest) = rest.split_once("] = ")?;
        let json = rest.trim_end().strip_suffix(';')?;
        let parsed: Script = serde_json::from_str(json).ok()?;
        let mut by_page: Vec<Vec<u32>> = vec![Vec::new(); parsed.pages.len()];
        let mut tokens = Vec::with_capacity(parsed.tokens.len());
        for (token, pages) in parsed.tokens {
            let id = tokens.len() as u32;
            tokens.push(token);
            for p in pages {
                by_page.get_mut(p as usize)?.push(id);
            }
        }
        Some(OldIndex {
            tokens,
            pages: parsed
                .pages
                .into_iter()
                .map(|p| p.url)
                .zip(by_page)
                .collect(),
        })
    }

    pub(crate) fn has(&self, url: &str) -> bool {
        self.pages.contains_key(url)
    }
}

/// The previous build's index of a locale: its shards, each read back
/// when a shard being made first needs it.
#[derive(Debug)]
pub(crate) struct OldShards {
    dir: PathBuf,
    shards: Vec<OnceLock<OldIndex>>,
}

impl OldShards {
    /// The index in the previous locale folder `dir`, if it has one.
    pub(crate) fn open(dir: PathBuf) -> Option<OldShards> {
        #[derive(serde::Deserialize)]
        struct Loader {
            shards: Vec<String>,
        }
        // the previous output is not trusted: read bounded, never blocking
        let script = crate::cache::read_old(&dir.join("search-index.js"))
            .and_then(|b| String::from_utf8(b).ok())?;
        let json = script
            .strip_prefix(LOADER_START)?
            .trim_end()
            .strip_suffix(';')?;
        let loader: Loader = serde_json::from_str(json).ok()?;
        Some(OldShards {
            dir,
            shards: loader.shards.iter().map(|_| OnceLock::new()).collect(),
        })
    }

    fn shard(&self, n: usize) -> Option<&OldIndex> {
        let cell = self.shards.get(n)?;
        Some(cell.get_or_init(|| {
            crate::cache::read_old(&self.dir.join(shard_file(n)))
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|script| OldIndex::read(&script))
                .unwrap_or_default()
        }))
    }

    /// Add `url` to `index` as the previous index held it: from the same
    /// shard if it is still there, else (pages moved, as after an
    /// insertion) from whichever shard has it; false when none does.
    pub(crate) fn add_to(
        &self,
        index: &mut SearchIndex,
        shard: usize,
        url: &str,
        title: &str,
    ) -> bool {
        std::iter::once(shard)
            .chain((0..self.shards.len()).filter(|&n| n != shard))
            .any(|n| {
                self.shard(n)
                    .is_some_and(|old| old.has(url) && index.add_from(url, title, old))
            })
    }
}

/// The text of an HTML fragment, tags removed (entities kept as written:
/// they do not occur in the CJK runs that matter, and words stay findable).
pub(crate) fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    // held until its chunk of pages is indexed: not at the HTML's size
    out.shrink_to_fit();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_runs_become_pairs() {
        assert_eq!(tokens("阿根廷, Brazil 2"), ["阿根", "根廷", "brazil", "2"]);
        assert_eq!(
            tokens("アルゼンチン"),
            ["アル", "ルゼ", "ゼン", "ンチ", "チン"]
        );
    }

    #[test]
    fn pages_rebuilt_from_their_tokens_give_the_same_index() {
        let pages = [
            ("a.html", "設定", "Azure 保留項目無法在阿根廷使用"),
            ("b.html", "Buy", "Buy software 2 weeks"),
        ];
        let mut index = SearchIndex::default();
        for (url, title, text) in pages {
            index.add(url, title, text);
        }
        let script = index.to_shard_script(2);
        assert!(
            script.starts_with(&format!("{SHARD_START}2] = ")),
            "{script}"
        );
        let old = OldIndex::read(&script).expect("own index reads back");
        let mut again = SearchIndex::default();
        for (url, title, _) in pages {
            assert!(again.add_from(url, title, &old));
        }
        assert_eq!(again.to_shard_script(2), script);
        assert!(OldIndex::read(&loader_script(3)).is_none());
    }

    #[test]
    fn a_long_unspaced_run_is_still_found() {
        let mut index = SearchIndex::default();
        let long = "Azure 保留項目無法在下列市場使用阿根廷巴西中國印尼列支敦斯登澤西島馬來西亞墨西哥俄羅斯";
        index.add("a.html", "A", long);
        index.add("b.html", "B", "其他");
        assert_eq!(index.search("阿根廷"), ["a.html"]);
        assert_eq!(index.search("澤西島"), ["a.html"]);
        assert!(index.search("日本").is_empty());
    }
}
