//! An in-process chain for whole-runtime scenarios: the `dev` genesis, blocks built with
//! every pallet's hooks, prices fed through the real oracle by the dev feeder, calls
//! dispatched with their signers' origins, and after every block each pallet's invariants
//! (`try_state`) plus the cross-pallet ones.
#![allow(dead_code)]

use clearing_primitives::{
	collateral::Subaccount, AssetId, Balance, Price, BTC_ASSET_ID, CLR_ASSET_ID, DOT_ASSET_ID,
	ETH_ASSET_ID, USDC_ASSET_ID,
};
use clearing_runtime::{
	constants::SLOT_DURATION, genesis_config_presets::dev_oracle_feeder, AccountId,
	AllPalletsWithSystem, BlockNumber, Runtime, RuntimeCall, RuntimeGenesisConfig, RuntimeOrigin,
	System,
};
use frame_support::{
	dispatch::{DispatchErrorWithPostInfo, GetDispatchInfo, PostDispatchInfo},
	traits::{fungibles::Inspect, OnFinalize, OnIdle, OnInitialize, UnfilteredDispatchable},
};
use serde_json::Value;
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Saturating, FixedPointNumber, FixedU128};
use std::{cell::RefCell, collections::BTreeMap};

pub const USDC: Balance = 1_000_000;
pub const CLR: Balance = clearing_runtime::constants::UNIT;
pub const ONE_BTC: Balance = 100_000_000;
pub const ONE_ETH: Balance = 1_000_000_000_000_000_000;
pub const BTC_USD: u32 = clearing_runtime::genesis_config_presets::BTC_USD;
pub const ETH_USD: u32 = clearing_runtime::genesis_config_presets::ETH_USD;

thread_local! {
	/// What the dev feeder reports each block.
	static FEED: RefCell<BTreeMap<AssetId, Price>> = RefCell::new(BTreeMap::new());
	/// Assets the feeder has stopped reporting (their prices go stale).
	static PAUSED: RefCell<std::collections::BTreeSet<AssetId>> = RefCell::new(Default::default());
	/// The smiles the dev feeder reports each block, by (underlying, expiry).
	static SMILES: RefCell<BTreeMap<(AssetId, u64), clearing_primitives::oracle::Smile>> = RefCell::new(BTreeMap::new());
	/// USDC and CLR in existence at genesis: trading, funding and liquidation only move them.
	static ISSUANCE: RefCell<(Balance, Balance)> = const { RefCell::new((0, 0)) };
	/// What every pallet's `on_initialize` and `on_poll` reported in the current block.
	static INITIALIZED: RefCell<frame_support::weights::Weight> = RefCell::new(Default::default());
}

/// What every pallet's `on_initialize` and `on_poll` reported at the start of the current
/// block.
pub fn initialize_weight() -> frame_support::weights::Weight {
	INITIALIZED.with(|w| *w.borrow())
}

/// Applies a preset's JSON patch over the default genesis, as the node's chain spec does.
fn merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) =>
			for (key, value) in patch {
				merge(base.entry(key).or_insert(Value::Null), value);
			},
		(base, patch) => *base = patch,
	}
}

/// The genesis state of the chain preset `preset`.
pub fn externalities_for(preset: &str) -> sp_io::TestExternalities {
	let patch: Value = serde_json::from_slice(
		&clearing_runtime::genesis_config_presets::get_preset(&PresetId::from(preset))
			.expect("the preset exists"),
	)
	.expect("a preset is JSON");
	let mut genesis = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serializes");
	merge(&mut genesis, patch);
	let genesis: RuntimeGenesisConfig = serde_json::from_value(genesis).expect("a full config");
	sp_io::TestExternalities::new(sp_runtime::BuildStorage::build_storage(&genesis).expect("genesis builds"))
}

/// The `dev` chain's genesis state.
pub fn dev_externalities() -> sp_io::TestExternalities {
	externalities_for(DEV_RUNTIME_PRESET)
}

/// USD per whole unit, from hundredths of a dollar.
pub fn cents(cents: u128) -> Price {
	FixedU128::saturating_from_rational(cents, 100)
}

pub fn usd(whole: u128) -> Price {
	FixedU128::saturating_from_integer(whole)
}

/// Runs `scenario` on a fresh `dev` chain whose prices (BTC $60,000, ETH $3,000, DOT $5,
/// CLR $1) have been fed long enough for liquidation to use them; the invariants are
/// checked after every block and once more at the end.
pub fn run(scenario: impl FnOnce()) {
	run_dev(false, scenario)
}

/// As [`run`], with the dev chain's listing schedule kept: series list by themselves.
pub fn run_scheduled(scenario: impl FnOnce()) {
	run_dev(true, scenario)
}

fn run_dev(keep_schedules: bool, scenario: impl FnOnce()) {
	let mut ext = dev_externalities();
	ext.execute_with(|| {
		PAUSED.with(|paused| paused.borrow_mut().clear());
		FEED.with(|feed| {
			let mut feed = feed.borrow_mut();
			feed.clear();
			feed.insert(BTC_ASSET_ID, usd(60_000));
			feed.insert(ETH_ASSET_ID, usd(3_000));
			feed.insert(DOT_ASSET_ID, usd(5));
			feed.insert(CLR_ASSET_ID, usd(1));
			// Implied volatilities: BTC 60%, ETH 70%.
			feed.insert(clearing_primitives::BTC_VOLATILITY_ASSET_ID, FixedU128::saturating_from_rational(60, 100));
			feed.insert(clearing_primitives::ETH_VOLATILITY_ASSET_ID, FixedU128::saturating_from_rational(70, 100));
		});
		ISSUANCE.with(|i| *i.borrow_mut() = issuance());
		// Most scenarios list their own series: the dev schedule lists none there.
		if !keep_schedules {
			let _ = pallet_options::ListingSchedules::<Runtime>::clear(u32::MAX, None);
			pallet_options::NextListingCheck::<Runtime>::kill();
		}
		System::set_block_number(0);
		for _ in 0..4 {
			next_block();
		}
		scenario();
		check_invariants();
	});
}

/// USDC and CLR in existence.
fn issuance() -> (Balance, Balance) {
	(
		pallet_assets::Pallet::<Runtime>::total_issuance(USDC_ASSET_ID),
		pallet_balances::TotalIssuance::<Runtime>::get(),
	)
}

/// The dev chain's oracle feeder (`//Alice//oracle`).
pub fn feeder() -> AccountId {
	dev_oracle_feeder(Sr25519Keyring::Alice).expect("dev has a feeder")
}

/// From the next block on, the feeder reports `price` for `asset` (the oracle clamps a move
/// beyond its jump limit and flags it; move prices in steps).
pub fn set_price(asset: AssetId, price: Price) {
	FEED.with(|feed| feed.borrow_mut().insert(asset, price));
}

/// From the next block on, the feeder reports `smile` for `underlying`'s expiry `expiry`
/// (`None`: it stops, and the smile goes stale).
#[allow(dead_code)]
pub fn set_smile(underlying: AssetId, expiry: u64, smile: Option<clearing_primitives::oracle::Smile>) {
	SMILES.with(|smiles| match smile {
		Some(smile) => smiles.borrow_mut().insert((underlying, expiry), smile),
		None => smiles.borrow_mut().remove(&(underlying, expiry)),
	});
}

/// Stops (or, `false`, resumes) feeding `asset`: without feeds its price goes stale.
pub fn pause_feed(asset: AssetId, paused: bool) {
	PAUSED.with(|set| {
		if paused {
			set.borrow_mut().insert(asset);
		} else {
			set.borrow_mut().remove(&asset);
		}
	});
}

/// Moves `asset` to `price` in steps within the oracle's jump limit, a block each, then
/// enough blocks for liquidation to trust it.
pub fn move_price(asset: AssetId, price: Price) {
	loop {
		let now = pallet_oracle::Pallet::<Runtime>::quote(asset).map(|q| q.price).expect("priced");
		let step = now.saturating_mul(FixedU128::saturating_from_rational(9, 100));
		let next = if price > now {
			price.min(now.saturating_add(step))
		} else {
			price.max(now.saturating_sub(step))
		};
		set_price(asset, next);
		next_block();
		if next == price {
			break;
		}
	}
	for _ in 0..3 {
		next_block();
	}
}

/// Ends the current block (every pallet's `on_idle` with what the block left of its weight,
/// then `on_finalize`, the oracle aggregating what the feeder sent), starts the next (timestamp, slot, every `on_initialize`), has the feeder
/// send its prices, and checks the invariants.
pub fn next_block() {
	let now = System::block_number();
	if now > 0 {
		let max = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
		let idle = max.saturating_sub(System::block_weight().total());
		AllPalletsWithSystem::on_idle(now, idle);
		AllPalletsWithSystem::on_finalize(now);
		check_invariants();
	}
	let next = now + 1;
	System::reset_events();
	System::set_block_number(next);
	pallet_aura::CurrentSlot::<Runtime>::put(sp_consensus_aura::Slot::from(u64::from(next)));
	let initialized = AllPalletsWithSystem::on_initialize(next);
	pallet_timestamp::Pallet::<Runtime>::set(RuntimeOrigin::none(), u64::from(next) * SLOT_DURATION)
		.expect("the timestamp is set once a block");
	// After the inherents, as `Executive` runs it: the block's own time is known.
	let max = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
	let mut meter = frame_support::weights::WeightMeter::with_limit(max.saturating_sub(initialized));
	<AllPalletsWithSystem as frame_support::traits::OnPoll<BlockNumber>>::on_poll(next, &mut meter);
	INITIALIZED.with(|w| *w.borrow_mut() = initialized.saturating_add(meter.consumed()));
	let paused = PAUSED.with(|set| set.borrow().clone());
	let values: Vec<(AssetId, Price)> = FEED.with(|feed| {
		feed.borrow().iter().filter(|(asset, _)| !paused.contains(asset)).map(|(a, p)| (*a, *p)).collect()
	});
	if !values.is_empty() {
		let call = RuntimeCall::Oracle(pallet_oracle::Call::feed_prices {
			values: values.try_into().expect("within MaxAssets"),
		});
		call.dispatch_bypass_filter(RuntimeOrigin::signed(feeder())).expect("the dev feeder feeds");
	}
	let now = pallet_timestamp::Now::<Runtime>::get();
	let smiles: Vec<_> = SMILES.with(|smiles| {
		smiles.borrow().iter().filter(|((_, expiry), _)| *expiry > now).map(|((u, e), s)| (*u, *e, *s)).collect()
	});
	if !smiles.is_empty() {
		let call = RuntimeCall::Oracle(pallet_oracle::Call::feed_surfaces {
			values: smiles.try_into().expect("within MaxSurfaces"),
		});
		call.dispatch_bypass_filter(RuntimeOrigin::signed(feeder())).expect("the dev feeder feeds smiles");
	}
}

pub fn block_number() -> BlockNumber {
	System::block_number()
}

/// Dispatches `call` as `who` would send it, and checks that what it was charged never
/// exceeds what it declared.
pub fn send(who: &AccountId, call: impl Into<RuntimeCall>) -> Result<PostDispatchInfo, DispatchErrorWithPostInfo> {
	dispatch(RuntimeOrigin::signed(who.clone()), call.into())
}

/// Dispatches `call` from `origin`, checking its charged weight against its declared one.
pub fn dispatch(origin: RuntimeOrigin, call: RuntimeCall) -> Result<PostDispatchInfo, DispatchErrorWithPostInfo> {
	let declared = call.get_dispatch_info().call_weight;
	let outcome = call.clone().dispatch_bypass_filter(origin);
	let post = match &outcome {
		Ok(post) => *post,
		Err(failed) => failed.post_info,
	};
	// What the call reports it used (the runtime would cap a larger figure at the declared
	// weight, hiding an under-declared call: compare the reported figure itself).
	if let Some(used) = post.actual_weight {
		assert!(used.all_lte(declared), "{call:?} used {used:?}, above its declared {declared:?}");
	}
	outcome
}

/// The error `outcome` failed with.
pub fn error_of<T>(outcome: Result<T, DispatchErrorWithPostInfo>) -> sp_runtime::DispatchError {
	match outcome {
		Ok(_) => panic!("the call succeeded"),
		Err(failed) => failed.error,
	}
}

/// A dev account with CLR and USDC from genesis.
pub fn dev(who: Sr25519Keyring) -> AccountId {
	who.to_account_id()
}

/// A new account, funded from Alice with 10,000 CLR and `usdc` (whole dollars) of USDC.
pub fn trader(name: &str, usdc: Balance) -> AccountId {
	let who: AccountId = sp_core::crypto::AccountId32::new(sp_io::hashing::blake2_256(name.as_bytes()));
	let alice = dev(Sr25519Keyring::Alice);
	send(&alice, pallet_balances::Call::transfer_keep_alive { dest: who.clone().into(), value: 10_000 * CLR })
		.expect("Alice has CLR");
	if usdc > 0 {
		send(&alice, pallet_assets::Call::transfer { id: USDC_ASSET_ID.into(), target: who.clone().into(), amount: usdc * USDC })
			.expect("Alice has USDC");
	}
	who
}

/// `who` deposits `amount` of `asset` into its subaccount `number`.
pub fn deposit(who: &AccountId, number: u16, asset: AssetId, amount: Balance) {
	send(who, pallet_vaults::Call::deposit { subaccount: number, asset, amount }).expect("the deposit goes in");
}

pub fn sub(who: &AccountId, number: u16) -> Subaccount<AccountId> {
	Subaccount::new(who.clone(), number)
}

/// A `place_order` call for `who`'s subaccount 0.
pub fn order(
	market: u32,
	side: clearing_primitives::margin::Side,
	price: Price,
	size: Balance,
	kind: pallet_orderbook::OrderKind,
) -> RuntimeCall {
	RuntimeCall::Orderbook(pallet_orderbook::Call::place_order {
		subaccount: 0,
		market,
		side,
		price,
		size,
		kind,
		reduce_only: false,
	})
}

/// `who`'s settlement (USDC) balance in subaccount `number`.
pub fn usdc_in(who: &AccountId, number: u16) -> i128 {
	pallet_vaults::Pallet::<Runtime>::collateral_of(&sub(who, number), USDC_ASSET_ID)
}

/// `who`'s signed position size in `market` (subaccount `number`).
pub fn position(who: &AccountId, number: u16, market: u32) -> i128 {
	pallet_margin::Positions::<Runtime>::get(sub(who, number), market).map(|p| p.size).unwrap_or_default()
}

/// `who`'s health (subaccount `number`), at the last prices.
pub fn health(who: &AccountId, number: u16) -> pallet_margin::Health {
	pallet_margin::Pallet::<Runtime>::account_health(who.clone(), number).expect("health")
}

/// Every pallet's invariants, and the cross-pallet ones: no USDC or CLR created or destroyed
/// (fees only move tokens here: calls are dispatched without a transaction's fee).
pub fn check_invariants() {
	pallet_oracle::Pallet::<Runtime>::do_try_state().expect("oracle invariants");
	pallet_vaults::Pallet::<Runtime>::do_try_state().expect("vault invariants");
	pallet_insurance::Pallet::<Runtime>::do_try_state().expect("insurance invariants");
	pallet_margin::Pallet::<Runtime>::do_try_state().expect("margin invariants");
	pallet_orderbook::Pallet::<Runtime>::do_try_state().expect("order book invariants");
	pallet_liquidation::Pallet::<Runtime>::do_try_state().expect("liquidation invariants");
	pallet_governance::Pallet::<Runtime>::do_try_state().expect("governance invariants");
	pallet_options::Pallet::<Runtime>::do_try_state().expect("options invariants");
	// Collateral set aside for orders and triggers (margin and deposits) exists only for
	// orders resting or triggers waiting (the book checks the other way: each subaccount's
	// orders and triggers against what the engine holds for it).
	for (subaccount, _) in pallet_margin::OrderMargin::<Runtime>::iter() {
		let resting = pallet_orderbook::Orders::<Runtime>::iter_prefix_values(&subaccount.owner)
			.any(|order| order.owner == subaccount);
		let waiting = !pallet_orderbook::Pallet::<Runtime>::waiting_triggers(subaccount.owner.clone(), subaccount.number)
			.is_empty();
		assert!(resting || waiting, "collateral set aside for a subaccount with no order resting or trigger waiting");
	}
	assert_eq!(issuance(), ISSUANCE.with(|i| *i.borrow()), "tokens were created or destroyed");
}

/// The first option series' market id (the options pallet's range).
#[allow(dead_code)]
pub const FIRST_SERIES: u32 = 1_000_000;

/// Root lists a BTC option expiring `ms` from now (tick $1, at most 100 BTC open); returns
/// its market.
#[allow(dead_code)]
pub fn list(kind: clearing_primitives::black76::OptionKind, strike: u128, ms: u64) -> u32 {
	let market = FIRST_SERIES + pallet_options::SeriesListed::<Runtime>::get();
	dispatch(
		RuntimeOrigin::root(),
		pallet_options::Call::list_series {
			underlying: BTC_USD,
			expiry: pallet_timestamp::Now::<Runtime>::get() + ms,
			strike: usd(strike),
			kind,
			tick_size: usd(1),
			max_open_interest: 100 * ONE_BTC,
		}
		.into(),
	)
	.expect("root lists");
	market
}

/// Series `market`'s mark at the last inputs rounded up to a whole dollar (its tick).
#[allow(dead_code)]
pub fn ask_at_mark(market: u32) -> Price {
	let mark = pallet_options::Pallet::<Runtime>::leg_of(market, clearing_primitives::collateral::Valuation::Maintenance)
		.expect("priced")
		.mark;
	Price::saturating_from_integer(mark.into_inner().div_ceil(Price::DIV))
}
