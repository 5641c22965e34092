//! rulebook turns localized DocFX help articles into two products: a localized
//! static help site and a machine-readable rules file with a validator.
//!
//! The pipeline runs one stage per module, data flowing one way:
//! [`load`] → [`docfx`] → extract → reconcile → emit; see ARCHITECTURE.md.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod cache;
pub mod config;
pub mod diag;
pub mod docfx;
pub mod emit;
pub mod extract;
pub mod frontmatter;
pub mod lexicon;
pub mod load;
pub mod position;
pub mod reconcile;
pub mod report;
pub mod rules;
pub mod serve;
pub mod site;

pub use diag::{Diagnostic, Diagnostics, Location, Severity};
pub mod cli;
pub mod fsutil;
