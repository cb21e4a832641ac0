//! Benchmarks at the worst case: `place_order` filling `f` makers at `f` different levels
//! (each fill through the real margin engine in the runtime) and resting what is left;
//! `cancel_order` from the back of a full level, by an owner with a full order list.

use super::*;
use crate::pallet::*;
use clearing_primitives::{collateral::Subaccount, margin::Side, Price};
use frame_benchmarking::v2::*;
use frame_support::traits::Get;
use frame_system::RawOrigin;
use sp_runtime::{traits::Saturating, FixedPointNumber};

const PRICE: u32 = 60_000;

fn trader<T: Config>(name: &'static str, index: u32) -> Subaccount<T::AccountId> {
	let subaccount = Subaccount::new(account(name, index, 0), 0);
	T::BenchmarkHelper::fund(&subaccount);
	subaccount
}

fn place<T: Config>(
	who: &Subaccount<T::AccountId>,
	market: clearing_primitives::MarketId,
	side: Side,
	price: Price,
	size: clearing_primitives::Balance,
) {
	Pallet::<T>::do_place_order(who.clone(), market, side, price, size, OrderKind::Limit, false, crate::functions::PlacedBy::Trader)
		.expect("the setup order rests");
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// `f` makers rest one step each at `f` rising prices; the taker crosses them all and
	/// rests one more step.
	#[benchmark]
	fn place_order(f: Linear<0, { T::MaxFills::get() }>) {
		let (market, tick, step) = T::BenchmarkHelper::market(Price::saturating_from_integer(PRICE));
		let base = Price::saturating_from_integer(PRICE);
		for i in 0..f {
			let maker = trader::<T>("maker", i);
			let price = base.saturating_add(tick.saturating_mul(Price::saturating_from_integer(i)));
			place::<T>(&maker, market, Side::Sell, price, step);
		}
		let taker = trader::<T>("taker", 0);
		let limit = base.saturating_add(tick.saturating_mul(Price::saturating_from_integer(f)));
		let size = step.saturating_mul(u128::from(f).saturating_add(1));

		#[extrinsic_call]
		_(RawOrigin::Signed(taker.owner.clone()), 0, market, Side::Buy, limit, size, OrderKind::Limit, false);

		assert_eq!(SubaccountOrders::<T>::get(&taker).len(), 1);
		assert!(LevelPrices::<T>::get(market, Side::Sell).is_empty());
	}

	#[benchmark]
	fn cancel_order() {
		let (market, tick, step) = T::BenchmarkHelper::market(Price::saturating_from_integer(PRICE));
		let base = Price::saturating_from_integer(PRICE);
		let owner = trader::<T>("owner", 0);
		// The owner's list full, the target last in it…
		for i in 1..T::MaxOpenOrders::get() {
			let price = base.saturating_add(tick.saturating_mul(Price::saturating_from_integer(i)));
			place::<T>(&owner, market, Side::Sell, price, step);
		}
		// …and last at a full level.
		for i in 1..T::MaxOrdersPerLevel::get() {
			place::<T>(&trader::<T>("other", i), market, Side::Sell, base, step);
		}
		place::<T>(&owner, market, Side::Sell, base, step);
		let id = NextOrderId::<T>::get().saturating_sub(1);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.owner.clone()), id);

		assert!(!Orders::<T>::contains_key(id));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::default().build(), crate::mock::Test);
}
