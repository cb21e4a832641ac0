//! The keeper offchain worker: on a validator, each block checks the next
//! `KeeperScanPerBlock` subaccounts with positions, and as many debtors with none (each
//! from a cursor kept in the node's persistent offchain storage, wrapping at the end), and
//! submits the ones below maintenance, signed with this node's keeper key (a current
//! validator's block-authoring key), as authorized transactions the chain re-validates:
//! `liquidate_batch` of up to `MaxBatch`, and `keeper_liquidate` with counterparties for a
//! bankruptcy the fund may not cover.

use crate::{pallet::*, proof::Statement};
use alloc::vec::Vec;
use clearing_primitives::{
	collateral::CollateralLedger,
	positions::{Health, HoldersPage, MarginAccounts},
	MarketId,
};
use frame_support::traits::Get;
use frame_system::{
	offchain::SubmitTransaction,
	pallet_prelude::BlockNumberFor,
};
use sp_runtime::{
	offchain::{
		storage::StorageValueRef,
		storage_lock::{StorageLock, Time},
		Duration,
	},
	FixedU128,
};

/// Where the keeper's scan resumes: the last subaccount key it checked.
pub const CURSOR_KEY: &[u8] = b"clearing/liquidation/keeper-cursor";
/// Where the keeper's scan of debtors (settlement balance below zero) resumes.
pub const DEBTOR_CURSOR_KEY: &[u8] = b"clearing/liquidation/keeper-debtor-cursor";

/// Keeps two keeper runs (of blocks imported close together) from reading the same cursors:
/// they would submit the same subaccounts twice and skip the next slice.
pub const LOCK_KEY: &[u8] = b"clearing/liquidation/keeper-lock";
/// How long a run may hold the lock before another may take it (a run reads
/// `KeeperScanPerBlock` subaccounts in tens of milliseconds).
const LOCK_DEADLINE_MS: u64 = 5_000;

/// Most subaccounts a `LiquidationApi.liquidatable` query reads.
pub const API_SCAN_LIMIT: u32 = 10_000;
/// Subaccounts the query reads at a time, so it stops soon after it has found `limit`.
const API_PAGE: u32 = 256;

/// A liquidatable subaccount the scan found, with what it read of it, so the keeper need
/// not read it again.
pub struct Found<AccountId> {
	pub subaccount: clearing_primitives::collateral::Subaccount<AccountId>,
	/// Positions it holds (the batch's witness).
	pub positions: u32,
	pub health: Health,
}

impl<T: Config> Pallet<T> {
	pub(crate) fn run_keeper(n: BlockNumberFor<T>) {
		if !sp_io::offchain::is_validator() {
			return;
		}
		// Only a node holding a current keeper key may submit: the chain refuses the rest.
		let Some(key) = Self::local_keeper() else { return };
		let mut lock = StorageLock::<Time>::with_deadline(LOCK_KEY, Duration::from_millis(LOCK_DEADLINE_MS));
		let Ok(_guard) = lock.try_lock() else {
			log::debug!(target: "runtime::liquidation", "keeper: the previous run still holds the cursors");
			return;
		};
		let began = sp_io::offchain::timestamp();
		let mut cursor = StorageValueRef::persistent(CURSOR_KEY);
		let start = cursor.get::<Vec<u8>>().ok().flatten();
		let (mut found, next) = Self::scan(start, T::KeeperScanPerBlock::get());
		match next {
			Some(key) => cursor.set(&key),
			None => cursor.clear(),
		}
		found.extend(Self::scan_debtors());
		// A bankruptcy the fund may not cover goes alone, with counterparties to deleverage;
		// the rest in batches.
		let mut batched = Vec::new();
		for found in found {
			let counterparties = Self::counterparties_for(&found.subaccount, &found.health);
			if counterparties.is_empty() {
				batched.push(found);
				continue;
			}
			let statement =
				Statement::Liquidate { subaccount: &found.subaccount, counterparties: counterparties.as_slice() };
			if let Some(proof) = Self::prove(&key, &statement, n) {
				Self::submit(Call::<T>::keeper_liquidate { subaccount: found.subaccount, counterparties, proof });
			}
		}
		let scanned = sp_io::offchain::timestamp();
		for chunk in batched.chunks(T::MaxBatch::get().max(1) as usize) {
			let max_positions = chunk.iter().map(|f| f.positions).max().unwrap_or_default();
			let subaccounts: BatchOf<T> = chunk
				.iter()
				.map(|f| f.subaccount.clone())
				.collect::<Vec<_>>()
				.try_into()
				.unwrap_or_default();
			let statement = Statement::Batch { subaccounts: subaccounts.as_slice(), max_positions };
			if let Some(proof) = Self::prove(&key, &statement, n) {
				Self::submit(Call::<T>::liquidate_batch { subaccounts, max_positions, proof });
			}
		}
		if !batched.is_empty() {
			log::debug!(
				target: "runtime::liquidation",
				"keeper: {} batched; scan {} ms, submission {} ms",
				batched.len(),
				scanned.diff(&began).millis(),
				sp_io::offchain::timestamp().diff(&scanned).millis(),
			);
		}
	}

	/// The next `KeeperScanPerBlock` debtors (from their own cursor) that hold no position
	/// (the scan above finds the others) and are liquidatable.
	fn scan_debtors() -> Vec<Found<T::AccountId>> {
		let mut cursor = StorageValueRef::persistent(DEBTOR_CURSOR_KEY);
		let start = cursor.get::<Vec<u8>>().ok().flatten();
		let (debtors, next) = T::Ledger::debtors(start, T::KeeperScanPerBlock::get());
		match next {
			Some(key) => cursor.set(&key),
			None => cursor.clear(),
		}
		debtors
			.into_iter()
			.filter(|debtor| T::Margin::position_count(debtor) == 0)
			.filter_map(|debtor| {
				let health = Self::ensure_liquidatable(&debtor).ok()?;
				Some(Found { subaccount: debtor, positions: 0, health })
			})
			.collect()
	}

	fn submit(call: Call<T>) {
		let xt = T::create_authorized_transaction(call.into());
		if SubmitTransaction::<T, Call<T>>::submit_transaction(xt).is_err() {
			log::debug!(target: "runtime::liquidation", "the pool refused a liquidation");
		}
	}

	/// Checks up to `limit` subaccounts with positions after the raw key `start`; returns
	/// the liquidatable ones and the key to resume from (`None`: the scan reached the end).
	pub fn scan(start: Option<Vec<u8>>, limit: u32) -> (Vec<Found<T::AccountId>>, Option<Vec<u8>>) {
		let HoldersPage { holders, next } = T::Margin::holders(start, limit);
		let found = holders
			.into_iter()
			.filter_map(|(subaccount, positions)| {
				let health = Self::ensure_liquidatable(&subaccount).ok()?;
				Some(Found { subaccount, positions, health })
			})
			.collect();
		(found, next)
	}

	/// `LiquidationApi.liquidatable`: up to `limit` liquidatable subaccounts after `from`
	/// (from the start if `None`), reading at most `API_SCAN_LIMIT` subaccounts.
	pub fn liquidatable_page(from: Option<SubaccountOf<T>>, limit: u32) -> Vec<SubaccountOf<T>> {
		let mut after = from.map(|from| T::Margin::cursor_after(&from));
		let mut found = Vec::new();
		let mut read: u32 = 0;
		while read < API_SCAN_LIMIT && found.len() < limit as usize {
			let page = T::Margin::holders(after, API_PAGE.min(API_SCAN_LIMIT.saturating_sub(read)));
			read = read.saturating_add(page.holders.len() as u32);
			for (subaccount, _) in page.holders {
				if found.len() < limit as usize && Self::ensure_liquidatable(&subaccount).is_ok() {
					found.push(subaccount);
				}
			}
			match page.next {
				Some(next) => after = Some(next),
				None => break,
			}
		}
		found
	}

	/// Counterparties for a bankrupt subaccount (`health` as just read), in case the fund
	/// cannot cover it: the best-ranked opposite positions in the market it closes first, among the
	/// first `KeeperRankScan` positions.
	pub(crate) fn counterparties_for(subaccount: &SubaccountOf<T>, health: &Health) -> CounterpartiesOf<T> {
		// Offered for every bankruptcy: several in one block may drain the fund before this
		// one's turn, and the chain uses them only if the fund cannot cover.
		if health.equity >= 0 {
			return Default::default();
		}
		let Some(first) = T::Margin::positions_by_value(subaccount)
			.ok()
			.and_then(|positions| positions.into_iter().next())
		else {
			return Default::default();
		};
		let mut ranked = Self::ranked_opposites(first.market, first.position.size > 0);
		ranked.truncate(T::MaxCounterparties::get() as usize);
		ranked.into_iter().map(|(_, c)| c).collect::<Vec<_>>().try_into().unwrap_or_default()
	}

	/// Holders of `market` short (if `long` is the side to absorb) or long, in profit, best
	/// rank first, among the first `KeeperRankScan` positions.
	pub fn ranked_opposites(market: MarketId, long: bool) -> Vec<(FixedU128, SubaccountOf<T>)> {
		let mut ranked: Vec<(FixedU128, SubaccountOf<T>)> = T::Margin::first_positions(T::KeeperRankScan::get())
			.into_iter()
			.filter(|(_, m, p)| *m == market && p.size != 0 && (p.size > 0) != long)
			.filter(|(subaccount, _, _)| *subaccount != Self::backstop())
			.filter_map(|(subaccount, m, _)| Self::rank(&subaccount, m).map(|r| (r, subaccount)))
			.collect();
		ranked.sort_by_key(|r| core::cmp::Reverse(r.0));
		ranked
	}
}
