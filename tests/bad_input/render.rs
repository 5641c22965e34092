//! Catalogue cases: see tests/bad_input.rs.

use super::Case;

pub fn cases() -> Vec<Case> {
    vec![]
}
