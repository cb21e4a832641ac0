//! Stand-ins for the traits in `clearing-primitives` that the pallets' mock runtimes share,
//! so a change to a trait changes one stand-in: [`MockLedger`] (the vaults'
//! `CollateralLedger`), [`MockPrices`] (the oracle's `PriceProvider`) and [`MockFund`] (the
//! insurance fund's `InsuranceFund`).
//!
//! Both keep their state in the test externalities' storage, so a call that fails rolls it
//! back as it would on chain. Accounts are `u64`, as in every mock runtime here.

mod fund;
mod ledger;
mod prices;
mod store;

pub use fund::*;
pub use ledger::*;
pub use prices::*;
pub use store::{get, put};

/// The account id of every mock runtime.
pub type AccountId = u64;
