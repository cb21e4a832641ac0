//! A stateful fuzzer of the whole runtime: random sequences of the public calls from a dozen
//! accounts (two subaccounts each), with random price moves and block boundaries, on the
//! `dev` genesis. After every block, every pallet's invariants and the cross-pallet ones hold
//! (tokens conserved, Σ long = Σ short, the vaults' ledger, the fund's shares, the book's
//! deposits); every call's charged weight is within its declared weight; and no call other
//! than a liquidation takes a subaccount from non-negative to negative equity.
//!
//! `FUZZ_CASES` sets how many sequences run (default 600: about a minute here);
//! `FUZZ_STEPS` how many actions each has at most (default 160). Proptest keeps the seed of any
//! failure in `runtime/proptest-regressions/fuzz.txt`, and replays it first on every run.

mod common;

use clearing_primitives::{
	margin::Side, AssetId, BTC_ASSET_ID, CLR_ASSET_ID, ETH_ASSET_ID, USDC_ASSET_ID,
};
use clearing_runtime::{AccountId, Runtime, RuntimeCall};
use common::*;
use pallet_orderbook::OrderKind;
use proptest::{prelude::*, test_runner::Config as RunnerConfig};
use sp_runtime::{traits::Saturating, FixedPointNumber, FixedU128};
use std::time::Instant;

const ACCOUNTS: usize = 12;

/// One step of a sequence. Amounts and prices are drawn small and relative, so most calls
/// have a chance to succeed; the rest fail with their named errors, which is fine.
#[derive(Clone, Debug)]
enum Action {
	Deposit { who: usize, number: u16, clr: bool, amount: u128 },
	Withdraw { who: usize, number: u16, clr: bool, amount: u128 },
	Transfer { who: usize, from: u16, clr: bool, amount: u128 },
	Order { who: usize, number: u16, eth: bool, buy: bool, ticks_from_index: i64, steps: u128, kind: u8, reduce_only: bool },
	Cancel { who: usize, nth: usize },
	/// The market maker (account 0) quotes both sides 0.3% around the index.
	MakeMarket { eth: bool, steps: u128 },
	/// A reduce-only immediate-or-cancel order for the whole position, 5% through the index.
	Close { who: usize, number: u16, eth: bool },
	Liquidate { caller: usize, who: usize, number: u16 },
	Stake { who: usize, amount: u128 },
	RequestUnstake { who: usize, percent: u128 },
	Unstake { who: usize },
	MovePrice { asset: u8, permille: i64 },
	/// The feeder stops or resumes reporting an asset (its price goes stale, then recovers).
	PauseFeed { asset: u8, paused: bool },
	NextBlock,
}

fn action() -> impl Strategy<Value = Action> {
	let who = 0..ACCOUNTS;
	let number = 0u16..2;
	prop_oneof![
		3 => (who.clone(), number.clone(), any::<bool>(), 1u128..20_000).prop_map(|(who, number, clr, amount)| Action::Deposit { who, number, clr, amount }),
		3 => (who.clone(), number.clone(), any::<bool>(), 1u128..600).prop_map(|(who, number, clr, amount)| Action::Withdraw { who, number, clr, amount }),
		1 => (who.clone(), number.clone(), any::<bool>(), 1u128..20_000).prop_map(|(who, from, clr, amount)| Action::Transfer { who, from, clr, amount }),
		8 => (who.clone(), number.clone(), any::<bool>(), any::<bool>(), -80i64..80, 1u128..150, 0u8..3, any::<bool>())
			.prop_map(|(who, number, eth, buy, ticks_from_index, steps, kind, reduce_only)| Action::Order { who, number, eth, buy, ticks_from_index, steps, kind, reduce_only }),
		2 => (who.clone(), 0usize..8).prop_map(|(who, nth)| Action::Cancel { who, nth }),
		3 => (who.clone(), number.clone(), any::<bool>()).prop_map(|(who, number, eth)| Action::Close { who, number, eth }),
		3 => (any::<bool>(), 10u128..500).prop_map(|(eth, steps)| Action::MakeMarket { eth, steps }),
		2 => (who.clone(), who.clone(), number.clone()).prop_map(|(caller, who, number)| Action::Liquidate { caller, who, number }),
		1 => (who.clone(), 1u128..5_000).prop_map(|(who, amount)| Action::Stake { who, amount }),
		1 => (who.clone(), 1u128..=100).prop_map(|(who, percent)| Action::RequestUnstake { who, percent }),
		1 => who.clone().prop_map(|who| Action::Unstake { who }),
		// Beyond ±10% in a block the oracle clamps the move and flags the price.
		3 => (0u8..3, -150i64..=150).prop_map(|(asset, permille)| Action::MovePrice { asset, permille }),
		1 => (0u8..3, any::<bool>()).prop_map(|(asset, paused)| Action::PauseFeed { asset, paused }),
		4 => Just(Action::NextBlock),
	]
}

fn env(name: &str, default: u32) -> u32 {
	std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn accounts() -> Vec<AccountId> {
	(0..ACCOUNTS).map(|i| trader(&format!("fuzz trader {i}"), 50_000)).collect()
}

/// Every subaccount the fuzzer's accounts use, with its equity at the last prices.
fn equities(accounts: &[AccountId]) -> Vec<i128> {
	accounts
		.iter()
		.flat_map(|who| (0..2).map(move |n| (who.clone(), n)))
		.map(|(who, n)| {
			pallet_margin::Pallet::<Runtime>::account_health(who.clone(), n)
				.unwrap_or_else(|| panic!("the health of {who:?}/{n} cannot be computed"))
				.equity
		})
		.collect()
}

fn asset(clr: bool) -> AssetId {
	if clr { CLR_ASSET_ID } else { USDC_ASSET_ID }
}

/// The amount in the asset's smallest units: whole dollars of USDC, whole CLR.
fn units(clr: bool, amount: u128) -> u128 {
	if clr { amount * CLR } else { amount * USDC }
}

/// What one action was.
struct Applied {
	/// A call (not a price move or a block).
	call: bool,
	/// A liquidation (the one call that may leave its target below zero).
	liquidation: bool,
	/// The call succeeded.
	ok: bool,
}

/// Runs one action.
fn apply(accounts: &[AccountId], action: &Action) -> Applied {
	let pick = |i: usize| &accounts[i % accounts.len()];
	let call = |ok: bool| Applied { call: true, liquidation: false, ok };
	match action {
		Action::Deposit { who, number, clr, amount } =>
			call(send(pick(*who), pallet_vaults::Call::deposit { subaccount: *number, asset: asset(*clr), amount: units(*clr, *amount) }).is_ok()),
		Action::Withdraw { who, number, clr, amount } =>
			call(send(pick(*who), pallet_vaults::Call::withdraw { subaccount: *number, asset: asset(*clr), amount: units(*clr, *amount) }).is_ok()),
		Action::Transfer { who, from, clr, amount } =>
			call(send(pick(*who), pallet_vaults::Call::transfer { from: *from, to: 1 - *from, asset: asset(*clr), amount: units(*clr, *amount) }).is_ok()),
		Action::Order { who, number, eth, buy, ticks_from_index, steps, kind, reduce_only } => {
			let (market, base) = if *eth { (ETH_USD, ETH_ASSET_ID) } else { (BTC_USD, BTC_ASSET_ID) };
			let config = pallet_margin::Pallet::<Runtime>::market_config(market).expect("genesis market");
			let Some(index) = pallet_oracle::Pallet::<Runtime>::quote(base).map(|q| q.price) else { return call(false) };
			// Ticks of 0.1% of the index, whole multiples of the market's tick.
			let per = index.saturating_mul(FixedU128::saturating_from_rational(1, 1_000));
			let ticks = per.into_inner() / config.tick_size.into_inner();
			let offset = FixedU128::from_inner(ticks.max(1) * config.tick_size.into_inner() * u128::from(ticks_from_index.unsigned_abs()));
			let rounded = FixedU128::from_inner(index.into_inner() / config.tick_size.into_inner() * config.tick_size.into_inner());
			let price = if *ticks_from_index >= 0 { rounded.saturating_add(offset) } else { rounded.saturating_sub(offset) };
			let size = steps * config.step_size * 10;
			let kind = [OrderKind::Limit, OrderKind::ImmediateOrCancel, OrderKind::PostOnly][usize::from(*kind)];
			let side = if *buy { Side::Buy } else { Side::Sell };
			let order = RuntimeCall::Orderbook(pallet_orderbook::Call::place_order {
				subaccount: *number, market, side, price, size, kind, reduce_only: *reduce_only,
			});
			call(send(pick(*who), order).is_ok())
		},
		Action::MakeMarket { eth, steps } => {
			let (market, base) = if *eth { (ETH_USD, ETH_ASSET_ID) } else { (BTC_USD, BTC_ASSET_ID) };
			let config = pallet_margin::Pallet::<Runtime>::market_config(market).expect("genesis market");
			let Some(index) = pallet_oracle::Pallet::<Runtime>::quote(base).map(|q| q.price) else { return call(false) };
			let mut ok = true;
			for (side, permille) in [(Side::Buy, 997u128), (Side::Sell, 1_003)] {
				let at = index.saturating_mul(FixedU128::saturating_from_rational(permille, 1_000));
				let price = FixedU128::from_inner(at.into_inner() / config.tick_size.into_inner() * config.tick_size.into_inner());
				let quote = RuntimeCall::Orderbook(pallet_orderbook::Call::place_order {
					subaccount: 0, market, side, price, size: steps * config.step_size * 10,
					kind: OrderKind::PostOnly, reduce_only: false,
				});
				ok &= send(pick(0), quote).is_ok();
			}
			call(ok)
		},
		Action::Close { who, number, eth } => {
			let (market, base) = if *eth { (ETH_USD, ETH_ASSET_ID) } else { (BTC_USD, BTC_ASSET_ID) };
			let held = position(pick(*who), *number, market);
			let config = pallet_margin::Pallet::<Runtime>::market_config(market).expect("genesis market");
			let Some(index) = pallet_oracle::Pallet::<Runtime>::quote(base).map(|q| q.price) else { return call(false) };
			let through = index.saturating_mul(FixedU128::saturating_from_rational(if held > 0 { 95 } else { 105 }, 100));
			let price = FixedU128::from_inner(through.into_inner() / config.tick_size.into_inner() * config.tick_size.into_inner());
			let side = if held > 0 { Side::Sell } else { Side::Buy };
			let order = RuntimeCall::Orderbook(pallet_orderbook::Call::place_order {
				subaccount: *number, market, side, price, size: held.unsigned_abs().max(config.step_size),
				kind: OrderKind::ImmediateOrCancel, reduce_only: true,
			});
			call(send(pick(*who), order).is_ok())
		},
		Action::Cancel { who, nth } => {
			let owner = pick(*who);
			let ids: Vec<_> = pallet_orderbook::Orders::<Runtime>::iter_key_prefix(owner).collect();
			match ids.get(nth % ids.len().max(1)) {
				Some(id) => call(send(owner, pallet_orderbook::Call::cancel_order { id: *id }).is_ok()),
				None => call(false),
			}
		},
		Action::Liquidate { caller, who, number } => {
			let target = sub(pick(*who), *number);
			let ok = send(pick(*caller), pallet_liquidation::Call::liquidate { subaccount: target }).is_ok();
			Applied { call: true, liquidation: true, ok }
		},
		Action::Stake { who, amount } =>
			call(send(pick(*who), pallet_insurance::Call::stake { amount: amount * USDC }).is_ok()),
		Action::RequestUnstake { who, percent } => {
			let held = pallet_insurance::Shares::<Runtime>::get(pick(*who)).unwrap_or_default();
			call(send(pick(*who), pallet_insurance::Call::request_unstake { shares: held * percent / 100 }).is_ok())
		},
		Action::Unstake { who } => call(send(pick(*who), pallet_insurance::Call::unstake {}).is_ok()),
		Action::MovePrice { asset, permille } => {
			let asset = [BTC_ASSET_ID, ETH_ASSET_ID, CLR_ASSET_ID][usize::from(*asset)];
			if let Some(now) = pallet_oracle::Pallet::<Runtime>::quote(asset).map(|q| q.price) {
				let change = now.saturating_mul(FixedU128::saturating_from_rational(permille.unsigned_abs(), 1_000));
				let next = if *permille >= 0 { now.saturating_add(change) } else { now.saturating_sub(change) };
				set_price(asset, next);
			}
			Applied { call: false, liquidation: false, ok: true }
		},
		Action::PauseFeed { asset, paused } => {
			pause_feed([BTC_ASSET_ID, ETH_ASSET_ID, CLR_ASSET_ID][usize::from(*asset)], *paused);
			Applied { call: false, liquidation: false, ok: true }
		},
		Action::NextBlock => {
			next_block();
			Applied { call: false, liquidation: false, ok: true }
		},
	}
}

/// Runs `actions`; returns how many calls it dispatched, and how many succeeded.
fn run_sequence(actions: &[Action]) -> (usize, usize) {
	let (mut calls, mut succeeded) = (0, 0);
	run(|| {
		let accounts = accounts();
		// Subaccount 0 well funded; subaccount 1 thin: a little USDC, and for two thirds of the
		// accounts CLR beside it, so debts against other collateral arise.
		for (i, who) in accounts.iter().enumerate() {
			// Account 0 makes markets: it holds more.
			deposit(who, 0, USDC_ASSET_ID, if i == 0 { 45_000 } else { 10_000 } * USDC);
			deposit(who, 1, USDC_ASSET_ID, 20 * USDC);
			if i % 3 != 2 {
				deposit(who, 1, CLR_ASSET_ID, 500 * CLR);
			}
		}
		for action in actions {
			let before = equities(&accounts);
			let applied = apply(&accounts, action);
			calls += usize::from(applied.call);
			succeeded += usize::from(applied.call && applied.ok);
			if applied.call && !applied.liquidation {
				// A call of the traders' own never sinks a subaccount into negative equity:
				// only prices do, and then liquidation settles it.
				for (slot, (was, now)) in before.iter().zip(equities(&accounts)).enumerate() {
					assert!(!(*was >= 0 && now < 0), "{action:?} left subaccount {slot} at {now} (was {was})");
				}
			}
		}
		next_block();
	});
	(calls, succeeded)
}

#[test]
fn random_sequences_of_public_calls_keep_every_invariant() {
	let cases = env("FUZZ_CASES", 600);
	let steps = env("FUZZ_STEPS", 160) as usize;
	let started = Instant::now();
	let calls = std::cell::Cell::new((0usize, 0usize));
	let mut runner = proptest::test_runner::TestRunner::new(RunnerConfig {
		cases,
		// Each shrinking step replays a whole sequence on a new chain.
		max_shrink_iters: 256,
		failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Direct(
			concat!(env!("CARGO_MANIFEST_DIR"), "/proptest-regressions/fuzz.txt"),
		))),
		..RunnerConfig::default()
	});
	let outcome = runner.run(&proptest::collection::vec(action(), steps / 2..=steps), |actions| {
		let (made, ok) = run_sequence(&actions);
		let (total, succeeded) = calls.get();
		calls.set((total + made, succeeded + ok));
		Ok(())
	});
	let (calls, succeeded) = calls.get();
	let seconds = started.elapsed().as_secs_f64();
	let rate = calls as f64 / seconds;
	// Stock Substrate in the same harness and run: a chain built, then transfers dispatched.
	let transfers = transfers_per_second();
	println!(
		"fuzz: {cases} sequences, {calls} calls ({succeeded} succeeded) in {seconds:.1} s: {rate:.0} calls per second; \
		 balances.transfer_keep_alive in the same harness: {transfers:.0} per second (ratio {:.2})",
		rate / transfers
	);
	if let Err(failure) = outcome {
		panic!("{failure}");
	}
}

/// `balances.transfer_keep_alive` calls per second in this harness, chain setup included the
/// same way a fuzz sequence includes it: 100 chains of 120 transfers each.
fn transfers_per_second() -> f64 {
	use sp_keyring::Sr25519Keyring;
	let started = Instant::now();
	let mut sent = 0usize;
	for _ in 0..100 {
		run(|| {
			let (alice, bob) = (dev(Sr25519Keyring::Alice), dev(Sr25519Keyring::Bob));
			for i in 0..120 {
				let call = pallet_balances::Call::transfer_keep_alive { dest: bob.clone().into(), value: CLR };
				assert!(send(&alice, call).is_ok());
				if i % 30 == 29 {
					next_block();
				}
				sent += 1;
			}
		});
	}
	sent as f64 / started.elapsed().as_secs_f64()
}
