//! The lexicon's screen: which of the regexes asked of every sentence may
//! match it, found without running them all.
//!
//! Every screened regex (a cue, a product or program name) needs some
//! literal word in any text it matches: `price` in `price\s+includes\s+tax`,
//! `purchase` in the cancellation cue, `市場` in a Chinese one. Those words are
//! derived from the regexes themselves (their syntax tree, `required`), never
//! written down here, and searched all at once by one Aho-Corasick automaton.
//! Most sentences contain none of them and cost one pass of that automaton;
//! a regex whose word does occur is confirmed by its relaxed form (see
//! `super::relax`), so the screen answers what running every relaxed regex
//! would (`tests::prefilter_finds_every_relaxed_match` checks it over every
//! line of the bundled and shared articles).

use aho_corasick::Anchored;
use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use regex::Regex;
use regex_syntax::hir::{Class, Hir, HirKind};

/// Most strings a literal set may hold before it is given up (an
/// alternation of many words, a class of many letters): a set that large
/// screens little and would make the automaton large.
const MAX_LITERALS: usize = 64;
/// Most characters a class may hold to count as literal (`[Kk\u{212A}]`,
/// which `(?i)k` becomes, holds three).
const MAX_CLASS: usize = 8;

/// The screen over one lexicon's screened regexes (their relaxed forms),
/// bit `i` for the `i`th; regexes past the 128th are never ruled out (see
/// `Screen`).
#[derive(Debug, Clone)]
pub(super) struct Prefilter {
    /// Every required literal of every regex, ASCII case ignored, as a
    /// DFA walked byte by byte (`candidates`).
    words: Option<DFA>,
    /// For each literal of `words`: the bits of the regexes that need it.
    masks: Vec<u128>,
    /// Regexes with no required literal (one that may match without any
    /// fixed word): confirmed on every text.
    always: u128,
    /// Regexes whose relaxed form does not compile on its own: never ruled out.
    unconfirmable: u128,
    /// The relaxed regexes, by bit.
    relaxed: Vec<Option<Regex>>,
}

impl Prefilter {
    /// `patterns`: the relaxed regexes, in screen order.
    pub(super) fn new(patterns: &[String]) -> Self {
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut masks: Vec<u128> = Vec::new();
        let mut always = 0u128;
        let mut unconfirmable = 0u128;
        let mut relaxed = Vec::new();
        for (i, pattern) in patterns.iter().enumerate().take(128) {
            let bit = 1u128 << i;
            let re = Regex::new(pattern).ok();
            if re.is_none() {
                unconfirmable |= bit;
            }
            relaxed.push(re);
            let Some(words) = required_literals(pattern) else {
                always |= bit;
                continue;
            };
            for word in words {
                match literals.iter().position(|l| *l == word) {
                    Some(k) => masks[k] |= bit,
                    None => {
                        literals.push(word);
                        masks.push(bit);
                    }
                }
            }
        }
        let words = if literals.is_empty() {
            None
        } else {
            // No prefilter: with many short literals, ASCII case ignored,
            // it stops at nearly every word, and the overlapping search
            // called it again at every return to the start state.
            aho_corasick::dfa::Builder::new()
                .ascii_case_insensitive(true)
                .prefilter(false)
                .build(&literals)
                .ok()
        };
        if words.is_none() {
            // no automaton: every regex with literals is confirmed instead
            always |= masks.iter().fold(0, |a, m| a | m);
        }
        Prefilter {
            words,
            masks,
            always,
            unconfirmable,
            relaxed,
        }
    }

    /// The regexes that may need confirming in `text`: those with a literal
    /// in it, and those without literals.
    pub(super) fn candidates(&self, text: &str) -> u128 {
        let mut bits = self.always;
        let Some(words) = &self.words else {
            return bits;
        };
        // One walk of the DFA over the text; a match state (any literal
        // ending here: standard semantics keep every literal that ends at a
        // state, so one literal inside another is seen too) adds the
        // regexes of each of its literals. This is the automaton's
        // overlapping search without its per-match bookkeeping, which cost
        // more than the walk itself.
        let Ok(mut sid) = words.start_state(Anchored::No) else {
            return bits | self.masks.iter().fold(0, |a, m| a | m);
        };
        for &byte in text.as_bytes() {
            sid = words.next_state(Anchored::No, sid, byte);
            if words.is_special(sid) && words.is_match(sid) {
                for i in 0..words.match_len(sid) {
                    bits |= self.masks[words.match_pattern(sid, i).as_usize()];
                }
            }
        }
        bits
    }

    /// `candidates` through the automaton's own overlapping search (what
    /// the tests compare the walk with).
    #[cfg(test)]
    pub(super) fn candidates_by_full_pass(&self, text: &str) -> u128 {
        let mut bits = self.always;
        if let Some(words) = &self.words {
            let mut state = aho_corasick::automaton::OverlappingState::start();
            let input = aho_corasick::Input::new(text);
            loop {
                words
                    .try_find_overlapping(&input, &mut state)
                    .expect("unanchored search");
                let Some(m) = state.get_match() else { break };
                bits |= self.masks[m.pattern().as_usize()];
            }
        }
        bits
    }

    /// Bit `i` set when the `i`th relaxed regex may match `text`: it matches,
    /// or it could not be compiled alone.
    pub(super) fn screen(&self, text: &str) -> u128 {
        let mut bits = self.unconfirmable;
        let mut rest = self.candidates(text) & !self.unconfirmable;
        while rest != 0 {
            let i = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            if self
                .relaxed
                .get(i)
                .and_then(Option::as_ref)
                .is_some_and(|re| re.is_match(text))
            {
                bits |= 1 << i;
            }
        }
        bits
    }

    #[cfg(test)]
    pub(super) fn relaxed(&self) -> &[Option<Regex>] {
        &self.relaxed
    }
}

/// Literals one of which occurs, ASCII case aside, in every text `pattern`
/// matches; `None` when there is no such set (a pattern that can match
/// without any fixed word), or the pattern does not parse.
pub(super) fn required_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let hir = regex_syntax::parse(pattern).ok()?;
    let need = need(&hir)?;
    useful(&need.literals).then_some(need.literals)
}

/// What a part of a regex needs: one of `literals` occurs in every match of
/// it; with `exact`, every match is one of them (so neighbours can be
/// joined to it: `ab` from `a` and `b`). Literals are ASCII-lowercased.
struct Need {
    literals: Vec<Vec<u8>>,
    exact: bool,
}

impl Need {
    fn exact(literals: Vec<Vec<u8>>) -> Self {
        Need {
            literals,
            exact: true,
        }
    }

    fn inexact(self) -> Self {
        Need {
            exact: false,
            ..self
        }
    }
}

/// A set of literals that can screen: not empty, and no empty string (which
/// every text contains).
fn useful(literals: &[Vec<u8>]) -> bool {
    !literals.is_empty() && literals.iter().all(|l| !l.is_empty())
}

/// The better screen of two literal sets: the longer shortest literal (a
/// longer word is rarer), then fewer literals.
fn better(a: &[Vec<u8>], b: &[Vec<u8>]) -> bool {
    let shortest = |s: &[Vec<u8>]| s.iter().map(Vec::len).min().unwrap_or(0);
    (shortest(a), std::cmp::Reverse(a.len())) > (shortest(b), std::cmp::Reverse(b.len()))
}

fn need(hir: &Hir) -> Option<Need> {
    match hir.kind() {
        // zero-width: matches exactly the empty string
        HirKind::Empty | HirKind::Look(_) => Some(Need::exact(vec![Vec::new()])),
        HirKind::Literal(lit) => {
            let mut bytes = lit.0.to_vec();
            bytes.make_ascii_lowercase();
            Some(Need::exact(vec![bytes]))
        }
        HirKind::Class(class) => class_literals(class).map(Need::exact),
        HirKind::Capture(cap) => need(&cap.sub),
        HirKind::Repetition(rep) => {
            let sub = need(&rep.sub);
            match (rep.min, rep.max) {
                (1, Some(1)) => sub,
                // `x?`: nothing or x
                (0, Some(1)) => {
                    let mut sub = sub.filter(|n| n.exact)?;
                    if sub.literals.len() >= MAX_LITERALS {
                        return None;
                    }
                    sub.literals.push(Vec::new());
                    Some(sub)
                }
                (0, _) => None,
                // at least one copy of `sub` is in every match
                _ => sub.map(Need::inexact),
            }
        }
        HirKind::Alternation(branches) => {
            let mut literals = Vec::new();
            let mut exact = true;
            for branch in branches {
                let n = need(branch)?;
                exact &= n.exact;
                for l in n.literals {
                    if !literals.contains(&l) {
                        literals.push(l);
                    }
                }
                if literals.len() > MAX_LITERALS {
                    return None;
                }
            }
            Some(Need { literals, exact })
        }
        HirKind::Concat(parts) => concat(parts),
    }
}

/// A concatenation: neighbouring exact parts are joined into longer
/// literals (`in` + `[Ss\u{17F}]` → `ins`, `inſ`); where a part is not exact,
/// or joining would make too many literals, the run so far is one candidate
/// and the best candidate wins.
fn concat(parts: &[Hir]) -> Option<Need> {
    let mut run: Vec<Vec<u8>> = vec![Vec::new()];
    let mut all_exact = true;
    let mut best: Option<Vec<Vec<u8>>> = None;
    let offer = |set: Vec<Vec<u8>>, best: &mut Option<Vec<Vec<u8>>>| {
        if useful(&set) && best.as_deref().is_none_or(|b| better(&set, b)) {
            *best = Some(set);
        }
    };
    for part in parts {
        match need(part) {
            Some(n) if n.exact => {
                if run.len() * n.literals.len() <= MAX_LITERALS {
                    run = cross(&run, &n.literals);
                } else {
                    all_exact = false;
                    offer(std::mem::replace(&mut run, n.literals), &mut best);
                }
            }
            other => {
                all_exact = false;
                offer(std::mem::replace(&mut run, vec![Vec::new()]), &mut best);
                if let Some(n) = other {
                    offer(n.literals, &mut best);
                }
            }
        }
    }
    if all_exact {
        return Some(Need::exact(run));
    }
    offer(run, &mut best);
    best.map(|literals| Need {
        literals,
        exact: false,
    })
}

/// Every string of `a` followed by every string of `b`, without repeats.
fn cross(a: &[Vec<u8>], b: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::with_capacity(a.len() * b.len());
    for x in a {
        for y in b {
            let joined = [x.as_slice(), y.as_slice()].concat();
            if !out.contains(&joined) {
                out.push(joined);
            }
        }
    }
    out
}

/// The characters of a small class as one-character literals, ASCII
/// lowercased (so `[Pp]` is the one literal `p`); `None` for a large one.
fn class_literals(class: &Class) -> Option<Vec<Vec<u8>>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut push = |mut bytes: Vec<u8>| {
        bytes.make_ascii_lowercase();
        if !out.contains(&bytes) {
            out.push(bytes);
        }
    };
    match class {
        Class::Unicode(c) => {
            let count: usize = c
                .ranges()
                .iter()
                .map(|r| (u32::from(r.end()) - u32::from(r.start())) as usize + 1)
                .sum();
            if count > MAX_CLASS {
                return None;
            }
            for r in c.ranges() {
                for ch in r.start()..=r.end() {
                    push(ch.to_string().into_bytes());
                }
            }
        }
        Class::Bytes(c) => {
            let count: usize = c
                .ranges()
                .iter()
                .map(|r| usize::from(r.end() - r.start()) + 1)
                .sum();
            if count > MAX_CLASS {
                return None;
            }
            for r in c.ranges() {
                for b in r.start()..=r.end() {
                    push(vec![b]);
                }
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(pattern: &str) -> Option<Vec<String>> {
        required_literals(pattern).map(|set| {
            set.into_iter()
                .map(|l| String::from_utf8(l).unwrap())
                .collect()
        })
    }

    #[test]
    fn required_literals_are_the_rarest_fixed_words() {
        // the longest fixed word of a concatenation
        assert_eq!(
            words(r"(?i)cancel\s+(a|the|your)?\s*([\w-]+\s+){0,2}purchase\s+within"),
            Some(vec!["purchase".to_owned(), "purchaſe".to_owned()])
        );
        // case folding: `s` may be U+017F, so both spellings are needed
        assert_eq!(
            words(r"(?i)tax\s+prices"),
            Some(vec!["prices".to_owned(), "priceſ".to_owned()])
        );
        // one literal per branch
        assert_eq!(
            words(r"(?i)tone\s+will|tone\s+go"),
            Some(vec!["tone".to_owned()])
        );
        assert_eq!(
            words("(?i)(未|不)\\W{0,2}提供.*市場"),
            Some(vec!["提供".to_owned()])
        );
        // optional parts join: `an?` is `a` or `an`
        assert_eq!(words(r"(?i)x\s+an?"), Some(vec!["x".to_owned()]));
        assert_eq!(
            words(r"ban?"),
            Some(vec!["ban".to_owned(), "ba".to_owned()])
        );
        // nothing fixed: no screen by literals
        assert_eq!(words(r"\d+\s*%?"), None);
        assert_eq!(words(r"(?i)a|\w+"), None);
        assert_eq!(words(""), None);
        assert_eq!(words("("), None);
    }

    #[test]
    fn screen_confirms_candidates() {
        let p = Prefilter::new(&[
            r"(?i)price\s+includes\s+tax".to_owned(),
            r"\d+ days".to_owned(),
            "(?i)a(".to_owned(),
        ]);
        assert_eq!(p.screen("the PRICE  includes tax"), 0b101);
        assert_eq!(p.screen("the price excludes tax"), 0b100);
        assert_eq!(p.screen("in 60 days"), 0b110);
    }
}
