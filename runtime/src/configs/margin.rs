//! The margin engine: settles through the vaults, marks at the oracle's index prices.

use crate::{Oracle, Orderbook, Runtime, Vaults};
use frame_support::{parameter_types, traits::{ConstU128, ConstU32}, PalletId};

parameter_types! {
	/// Derives the funding pool (`modlclr/mrgn…`, subaccount 0).
	pub const MarginPalletId: PalletId = PalletId(*b"clr/mrgn");
	/// A premium counts only if half an interval's blocks sampled one.
	pub const MinPremiumSamples: sp_runtime::Permill = sp_runtime::Permill::from_percent(50);
}

/// The liquidation backstop's subaccount.
pub struct Backstop;
impl frame_support::traits::Contains<clearing_primitives::collateral::Subaccount<crate::AccountId>> for Backstop {
	fn contains(subaccount: &clearing_primitives::collateral::Subaccount<crate::AccountId>) -> bool {
		*subaccount == pallet_liquidation::Pallet::<Runtime>::backstop()
	}
}

impl pallet_margin::Config for Runtime {
	type Ledger = Vaults;
	type Prices = Oracle;
	// Funding samples the book's impact mid against the index.
	type Book = Orderbook;
	// Series are markets in the options pallet's id range, priced and margined per leg.
	type Options = crate::Options;
	type PalletId = MarginPalletId;
	// 16 perpetuals and the options pallet's 64 series.
	type MaxMarkets = ConstU32<80>;
	type MaxPositions = ConstU32<16>;
	// A portfolio subaccount's legs are one read and its series valued from their books: 64
	// legs on at most 4 underlyings (4 perpetuals at most) read within 5× one perpetual's
	// standard reading (BENCHMARKS.md).
	type MaxPortfolioPositions = ConstU32<64>;
	type MaxPortfolioUnderlyings = ConstU32<4>;
	// The backstop takes over whatever the book cannot close, in every market.
	type Unbounded = Backstop;
	type MinPremiumSamples = MinPremiumSamples;
	// $1 (USDC units) while a subaccount stores a chosen leverage or an isolated market.
	type SettingsDeposit = ConstU128<1_000_000>;
	// $10,000 of equity to enter portfolio margin (Deribit asks 0.5–1 BTC).
	type MinPortfolioEquity = ConstU128<10_000_000_000>;
	type WeightInfo = pallet_margin::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helper::MarginBenchmarkHelper;
}

#[cfg(feature = "runtime-benchmarks")]
pub(crate) mod benchmark_helper {
	use crate::{configs::Tokens, AccountId, Runtime, RuntimeOrigin, Timestamp, Vaults};
	use clearing_primitives::{
		collateral::Subaccount, AssetId, Balance, Price, CLR_ASSET_ID, USDC_ASSET_ID,
	};
	use frame_support::traits::{fungibles::Mutate, Time};

	/// Prices straight into the oracle's storage, collateral through a real deposit.
	pub struct MarginBenchmarkHelper;

	/// Makes `price` the fresh index price of `asset`.
	pub fn set_price(asset: AssetId, price: Price) {
		pallet_oracle::Prices::<Runtime>::insert(
			asset,
			pallet_oracle::PriceRecord {
				price,
				updated_at: Timestamp::now(),
				stale: false,
				flagged: false,
				fresh_streak: 100,
			},
		);
	}

	/// Gives `subaccount` `amount` of USDC collateral through a real deposit, and its owner
	/// native tokens for fees and deposits.
	pub fn fund(subaccount: &Subaccount<AccountId>, amount: Balance) {
		let _ = <Tokens as Mutate<AccountId>>::mint_into(
			CLR_ASSET_ID,
			&subaccount.owner,
			100 * crate::constants::UNIT,
		);
		let _ = <Tokens as Mutate<AccountId>>::mint_into(
			USDC_ASSET_ID,
			&subaccount.owner,
			amount.saturating_mul(2),
		);
		let _ = Vaults::deposit(
			RuntimeOrigin::signed(subaccount.owner.clone()),
			subaccount.number,
			USDC_ASSET_ID,
			amount,
		);
	}

	/// 10 CLR into `subaccount` (its owner holds 100 from `fund`), CLR priced at $1 and its
	/// realized volatility kept, unless already so.
	fn hold_curved_collateral(subaccount: &Subaccount<AccountId>) {
		if pallet_oracle::Prices::<Runtime>::get(CLR_ASSET_ID).is_none() {
			set_price(CLR_ASSET_ID, Price::from_u32(1));
		}
		if pallet_oracle::RealizedVolatilities::<Runtime>::get(CLR_ASSET_ID).is_none() {
			pallet_oracle::RealizedVolatilities::<Runtime>::insert(
				CLR_ASSET_ID,
				pallet_oracle::RealizedVolatility {
					sample_price: Price::from_u32(1),
					sampled_at: Timestamp::now(),
					// RV 80% a year, a minute a sample.
					variance: 1_216_822_572_000,
				},
			);
		}
		let _ = Vaults::deposit(
			RuntimeOrigin::signed(subaccount.owner.clone()),
			subaccount.number,
			CLR_ASSET_ID,
			10 * crate::constants::UNIT,
		);
	}

	impl pallet_margin::BenchmarkHelper<AccountId> for MarginBenchmarkHelper {
		fn set_price(asset: AssetId, price: Price) {
			set_price(asset, price)
		}

		/// USDC as `fund` gives it, and beside it a CLR holding priced and under its haircut
		/// curve: every health reading the margin benchmarks measure values a curved holding
		/// (its config, price, owner's sum, curve and realized volatility).
		fn fund(subaccount: &Subaccount<AccountId>, amount: Balance) {
			fund(subaccount, amount);
			hold_curved_collateral(subaccount);
		}

		fn open_series(i: u32) -> Option<(clearing_primitives::MarketId, Price)> {
			crate::configs::options::benchmark_helper::open_series(i)
		}

		fn settle_series(market: clearing_primitives::MarketId) -> bool {
			crate::configs::options::benchmark_helper::settle_series(market)
		}

		fn refresh_scenarios() {
			pallet_options::Pallet::<Runtime>::refresh_scenarios(frame_support::weights::Weight::MAX);
		}
	}
}
