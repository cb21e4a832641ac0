//! Liquidation: closes in the order book, backstopped by the insurance fund, with the
//! validators' keeper submitting authorized (fee-free, re-validated) transactions.

use crate::{
	AccountId, Insurance, Margin, Oracle, Orderbook, Runtime, RuntimeCall, TxExtension,
	UncheckedExtrinsic, Vaults,
};
use frame_support::{
	parameter_types,
	traits::{ConstU128, ConstU32},
	PalletId,
};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::{generic::Era, transaction_validity::TransactionPriority, Permill};

parameter_types! {
	/// The penalty on the notional closed in the book until governance sets one.
	pub const DefaultPenaltyRate: Permill = Permill::from_parts(15_000);
	/// The highest penalty governance can set: just under its own ceiling
	/// (`pallet_governance::classify::bounds::PENALTY_CEILING`, exclusive), so the two agree.
	pub MaxPenaltyRate: Permill = Permill::from_parts(
		pallet_governance::classify::bounds::PENALTY_CEILING.deconstruct().saturating_sub(1),
	);
	/// Derives the backstop's account (`modlclr/liqd…`; subaccount 0 holds takeovers).
	pub const BackstopPalletId: PalletId = PalletId(*b"clr/liqd");
	/// Half the penalty to a signed keeper, half to the fund.
	pub const KeeperShare: Permill = Permill::from_percent(50);
	/// Closing goes at most 1% from the mark (BTC's 3% maintenance leaves 0.5% per unit
	/// closed to restore it after the penalty).
	pub const MaxSlippage: Permill = Permill::from_percent(1);
	/// An option closes within its vega × five volatility points of the mark, where wider
	/// (a week-out BTC put near the money: about a tenth of its premium).
	pub const OptionVolatilityShift: Permill = Permill::from_percent(5);
	/// The backstop unwinds at most 0.5% from the mark: half what a liquidation may give.
	pub const UnwindSlippage: Permill = Permill::from_parts(5_000);
	/// Liquidations go ahead of everything but oracle feeds.
	pub const KeeperPriority: TransactionPriority = TransactionPriority::MAX / 4;
}

/// The chain's keepers are its current block authors: each validator's keeper signs with
/// the Aura key its keystore already holds.
pub struct AuraKeepers;
impl frame_support::traits::Contains<AuraId> for AuraKeepers {
	fn contains(key: &AuraId) -> bool {
		pallet_aura::Authorities::<Runtime>::get().contains(key)
	}
}

impl pallet_liquidation::Config for Runtime {
	type Margin = Margin;
	type Ledger = Vaults;
	type Prices = Oracle;
	type ClosingBook = Orderbook;
	type Insurance = Insurance;
	type KeeperId = AuraId;
	type Keepers = AuraKeepers;
	type BackstopId = BackstopPalletId;
	type DefaultPenaltyRate = DefaultPenaltyRate;
	type MaxPenaltyRate = MaxPenaltyRate;
	type KeeperShare = KeeperShare;
	type MaxSlippage = MaxSlippage;
	type OptionVolatilityShift = OptionVolatilityShift;
	type UnwindSlippage = UnwindSlippage;
	// Each round at most `MaxCloseFills` fills; eight only while the block has the room.
	type MaxUnwindRounds = ConstU32<8>;
	// $5,000,000 of notional per block (settlement units, 6 decimals).
	type BlockNotionalCap = ConstU128<5_000_000_000_000>;
	type MinFreshAggregates = ConstU32<3>;
	type MaxMarketsPerCall = ConstU32<2>;
	// Four fills per market and call: every liquidation reserves that much of a block when it
	// is admitted (not the book's 16), and a solvent account cut short is closed further by
	// the next call.
	type MaxCloseFills = ConstU32<4>;
	// Five blocks of closes that close nothing (makers that cancel rather than fill), then
	// the backstop takes a solvent position at the bankruptcy price.
	type MaxStallBlocks = ConstU32<5>;
	type MaxCounterparties = ConstU32<4>;
	// A crash's liquidations in batches of 64, at most 9 fills in the book per batch: so
	// a full batch of one-position entries declares under a quarter of a block.
	type MaxBatch = ConstU32<64>;
	type MaxBatchFills = ConstU32<9>;
	// The keeper checks this many subaccounts a block (offchain, in its own time).
	type KeeperScanPerBlock = ConstU32<1_024>;
	type KeeperRankScan = ConstU32<2_048>;
	type KeeperPriority = KeeperPriority;
	type WeightInfo = pallet_liquidation::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helper::LiquidationBenchmarkHelper;
}

impl<LocalCall> frame_system::offchain::CreateTransaction<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	type Extension = TxExtension;

	fn create_transaction(call: RuntimeCall, extension: TxExtension) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_transaction(call, extension)
	}
}

/// An authorized transaction (the keeper's) carries the usual extensions; with no signer,
/// nonce and fee checks pass it by and `AuthorizeCall` runs the call's own validation.
impl<LocalCall> frame_system::offchain::CreateAuthorizedTransaction<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	fn create_extension() -> TxExtension {
		crate::tx_extension(Era::Immortal, 0)
	}
}

/// The backstop's account, which the genesis gives USDC's minimum balance so the fund's
/// cover can pass through it into the vaults.
pub fn backstop_account() -> AccountId {
	pallet_liquidation::Pallet::<Runtime>::backstop_account()
}

#[cfg(feature = "runtime-benchmarks")]
mod benchmark_helper {
	use super::AuraId;
	use crate::{
		configs::margin::benchmark_helper::{fund, set_price},
		AccountId, Margin, Runtime, RuntimeOrigin,
	};
	use alloc::vec::Vec;
	use clearing_primitives::{
		collateral::Subaccount,
		margin::{Fill, MarginEngine, Side},
		Balance, MarketId, Price, BTC_ASSET_ID,
	};
	use frame_benchmarking::account;
	use frame_support::traits::Get;
	use sp_runtime::FixedPointNumber;

	/// The victim holds a position in `positions` markets (BTC-USD the largest), every
	/// counterparty in `MaxPositions` (so each ranking reads its most); BTC falls until the
	/// victim is bankrupt. With no counterparties, a staker fills the fund so it covers.
	pub struct LiquidationBenchmarkHelper;

	const USDC: Balance = 1_000_000;
	const ONE_BTC: Balance = 100_000_000;

	fn usd(whole: u32) -> Price {
		Price::saturating_from_integer(whole)
	}

	fn trade(market: MarketId, buyer: &Subaccount<AccountId>, seller: &Subaccount<AccountId>, price: Price, size: Balance) {
		let fill = Fill { market, taker: buyer.clone(), maker: seller.clone(), taker_side: Side::Buy, price, size };
		if let Err(refusal) = Margin::apply_fill(&fill) {
			log::error!(target: "runtime::liquidation", "benchmark fill refused: {:?}", refusal.error);
		}
	}

	impl pallet_liquidation::BenchmarkHelper<AccountId, AuraId> for LiquidationBenchmarkHelper {
		/// A key generated in the benchmark's keystore, made the only block author.
		fn keeper() -> AuraId {
			use sp_runtime::RuntimeAppPublic;
			let key = AuraId::generate_pair(None);
			let authorities = alloc::vec![key.clone()].try_into().expect("one authority fits");
			pallet_aura::Authorities::<Runtime>::put::<frame_support::BoundedVec<_, _>>(authorities);
			key
		}

		fn bankrupt(
			victim: &Subaccount<AccountId>,
			positions: u32,
			counterparties: u32,
		) -> Vec<Subaccount<AccountId>> {
			let btc = crate::genesis_config_presets::BTC_USD;
			set_price(BTC_ASSET_ID, usd(60_000));
			let filler = Subaccount::new(account::<AccountId>("filler", 0, 0), 0);
			fund(&filler, 100_000_000 * USDC);
			// $3,000 carries the 1 BTC long at 5%; the rest, the small positions.
			fund(victim, 3_100 * USDC);
			let shorts: Vec<_> = (0..counterparties.max(1))
				.map(|i| Subaccount::new(account::<AccountId>("short", i, 0), 0))
				.collect();
			for short in &shorts {
				fund(short, 10_000 * USDC);
			}
			// Small positions in extra markets: the victim's `positions - 1`, every short's
			// `MaxPositions - 1`, so each health read walks that many.
			let base = Margin::market_config(btc).expect("genesis opens BTC-USD");
			let most = <Runtime as pallet_margin::Config>::MaxPositions::get();
			for i in 1..most {
				let market = 1_000 + i;
				let asset = 10_000 + i;
				set_price(asset, usd(100));
				let config = pallet_margin::MarketConfig { base_asset: asset, isolated_only: false, ..base };
				let _ = Margin::create_market(RuntimeOrigin::root(), market, config);
				let victim_too = (i < positions).then_some(victim);
				// Shorts only matter as counterparties (each ranking walks their positions).
				let shorts_too = if counterparties > 0 { shorts.as_slice() } else { &[] };
				for holder in victim_too.into_iter().chain(shorts_too.iter()) {
					trade(market, holder, &filler, usd(100), base.step_size);
				}
			}
			for short in &shorts {
				let share = ONE_BTC / u128::from(counterparties.max(1));
				let size = share - share % base.step_size;
				trade(btc, victim, short, usd(60_000), size);
			}
			set_price(BTC_ASSET_ID, usd(56_000));
			if counterparties == 0 {
				let staker = account::<AccountId>("staker", 0, 0);
				fund(&Subaccount::new(staker.clone(), 0), 100_000 * USDC);
				let _ = crate::Insurance::stake(RuntimeOrigin::signed(staker), 90_000 * USDC);
				return Vec::new();
			}
			shorts
		}

		fn underwater(victim: &Subaccount<AccountId>) {
			Self::bankrupt(victim, 1, 0);
			// About $1,400 of equity against $1,749 of maintenance at $58,300.
			set_price(BTC_ASSET_ID, usd(58_300));
		}
	}
}
