//! The order book: fills through the margin engine, fees into the vaults, a share to the
//! insurance fund; a resting order's deposit set aside from its collateral.

use crate::{Insurance, Margin, Runtime, Vaults};
use clearing_primitives::Balance;
use frame_support::{
	parameter_types,
	traits::{ConstU128, ConstU32},
	weights::Weight,
	PalletId,
};
use sp_runtime::Permill;

parameter_types! {
	/// Derives the fee subaccount (`modlclr/book…`, subaccount 0).
	pub const OrderbookPalletId: PalletId = PalletId(*b"clr/book");
	/// Half of every trading fee goes to the insurance fund.
	pub const InsuranceFeeShare: Permill = Permill::from_percent(50);
	/// A third of a block for firing triggers at its start: a price move that reaches more
	/// fires the rest in the next blocks.
	pub TriggerBlockWeight: Weight = {
		let block = super::RuntimeBlockWeights::get().max_block;
		Weight::from_parts(block.ref_time() / 3, block.proof_size() / 3)
	};
	/// A tenth of a block for taking expired good-til-block orders and the orders of due
	/// dead-man's switches off the book at its start (they never fill meanwhile, so a
	/// crowded block only delays their removal).
	pub CleanupBlockWeight: Weight = {
		let block = super::RuntimeBlockWeights::get().max_block;
		Weight::from_parts(block.ref_time() / 10, block.proof_size() / 10)
	};
}

/// Set aside per resting order from its subaccount's collateral, beside its margin, and
/// returned when it leaves the book: $0.10 (USDC units).
pub const ORDER_DEPOSIT: Balance = 100_000;

impl pallet_orderbook::Config for Runtime {
	type Margin = Margin;
	type Ledger = Vaults;
	type Insurance = Insurance;
	type PalletId = OrderbookPalletId;
	type OrderDeposit = ConstU128<ORDER_DEPOSIT>;
	// Fee tiers: set by root (governance), up to eight rows, over 30 days of volume.
	type FeeOrigin = frame_system::EnsureRoot<crate::AccountId>;
	type MaxFeeTiers = ConstU32<8>;
	type VolumeDayBlocks = ConstU32<{ crate::constants::DAYS }>;
	type InsuranceShare = InsuranceFeeShare;
	type MaxFills = ConstU32<16>;
	/// A fired trigger matches at most 8 makers per firing (the rest fires again), so a
	/// storm of stops reserves half a whole order's worst case for each one more.
	type MaxTriggerFills = ConstU32<8>;
	// A market maker's two-sided quote of 8 levels a side in one transaction.
	type MaxBatchOrders = ConstU32<16>;
	type MaxBatchCancels = ConstU32<32>;
	type MaxOpenTriggers = ConstU32<16>;
	type MaxTriggersPerQueue = ConstU32<256>;
	// Every market the margin engine may open (its `MaxMarkets`).
	type MaxTriggerMarkets = ConstU32<80>;
	type TriggerBlockWeight = TriggerBlockWeight;
	// A market maker's dead-man's switch reaches a day ahead at most.
	type MaxCancelHorizon = ConstU32<{ crate::constants::DAYS }>;
	type CleanupBlockWeight = CleanupBlockWeight;
	// Per account, over all its subaccounts and markets.
	type MaxOpenOrders = ConstU32<64>;
	type MaxLevels = ConstU32<128>;
	type MaxOrdersPerLevel = ConstU32<32>;
	// $10,000 each side for an impact price.
	type ImpactNotional = ConstU128<10_000_000_000>;
	type WeightInfo = pallet_orderbook::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helper::OrderbookBenchmarkHelper;
}

#[cfg(feature = "runtime-benchmarks")]
mod benchmark_helper {
	use crate::{configs::margin::benchmark_helper, AccountId};
	use clearing_primitives::{collateral::Subaccount, Balance, MarketId, Price, BTC_ASSET_ID};

	/// BTC-USD from genesis, priced fresh; collateral through real deposits.
	pub struct OrderbookBenchmarkHelper;

	impl pallet_orderbook::BenchmarkHelper<AccountId> for OrderbookBenchmarkHelper {
		fn market(price: Price) -> (MarketId, Price, Balance) {
			benchmark_helper::set_price(BTC_ASSET_ID, price);
			let market = crate::genesis_config_presets::BTC_USD;
			// Genesis opens BTC-USD with $1 ticks and 0.0001 BTC steps.
			let (tick, step) = crate::Margin::market_config(market)
				.map_or((Price::from_u32(1), 10_000), |c| (c.tick_size, c.step_size));
			(market, tick, step)
		}

		fn fund(subaccount: &Subaccount<AccountId>) {
			benchmark_helper::fund(subaccount, 1_000_000_000_000);
		}

		fn series_market() -> (MarketId, Price, Balance, Price) {
			let (market, mark) = crate::configs::options::benchmark_helper::open_series(0).expect("a series lists");
			let (tick, step) = crate::Margin::market_config(market)
				.map_or((Price::from_u32(1), 10_000), |c| (c.tick_size, c.step_size));
			(market, tick, step, mark)
		}
	}
}
