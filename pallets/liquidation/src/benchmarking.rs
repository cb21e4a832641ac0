//! Benchmarks of the pallet's own work, in its two paths. `liquidate(p)`: a bankrupt
//! subaccount holding `p` positions (every health read walks them), a fund that covers its
//! loss, the backstop taking the positions over. `liquidate_deleveraging(c)`: the same at
//! `MaxPositions` positions with an empty fund, so its largest market is deleveraged across
//! `c` counterparties (each ranked by a health read over `MaxPositions` positions) and the next
//! goes to the backstop. Measured apart so neither path is charged the other's reads. Every
//! market worked is first closed against the runtime's real, empty book, so a close that
//! fills nothing is measured here; the book reports the weight of the fills a close makes.

use super::*;
use crate::pallet::*;
use alloc::vec::Vec;
use clearing_primitives::collateral::Subaccount;
use frame_benchmarking::v2::*;
use frame_support::{pallet_prelude::TransactionSource, traits::Get};
use frame_system::RawOrigin;

fn scenario<T: Config>(positions: u32, counterparties: u32) -> (SubaccountOf<T>, CounterpartiesOf<T>) {
	let victim = Subaccount::new(account::<T::AccountId>("victim", 0, 0), 0);
	let counterparties: Vec<_> = T::Scenario::bankrupt(&victim, positions, counterparties);
	let offered = counterparties.try_into().unwrap_or_default();
	(victim, offered)
}

/// Fewer positions than `held` are left: the call liquidated something.
fn assert_liquidated<T: Config>(victim: &SubaccountOf<T>, held: u32) {
	assert!(
		frame_system::Pallet::<T>::events().len() > 0 &&
			(pallet_margin::Positions::<T>::iter_prefix(victim).count() as u32) < held,
		"positions were liquidated"
	);
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn liquidate(
		p: Linear<1, { <T as pallet_margin::Config>::MaxPositions::get() }>,
	) -> Result<(), BenchmarkError> {
		let (victim, counterparties) = scenario::<T>(p, 0);
		Pallet::<T>::ensure_liquidatable(&victim)
			.map_err(|_| BenchmarkError::Stop("the scenario is not liquidatable"))?;
		#[extrinsic_call]
		liquidate(RawOrigin::Authorized, victim.clone(), counterparties);

		assert_liquidated::<T>(&victim, p);
		Ok(())
	}

	#[benchmark]
	fn liquidate_deleveraging(c: Linear<1, { T::MaxCounterparties::get() }>) -> Result<(), BenchmarkError> {
		let most = <T as pallet_margin::Config>::MaxPositions::get();
		let (victim, counterparties) = scenario::<T>(most, c);
		// The keeper's call: only it may offer counterparties to deleverage.
		Pallet::<T>::ensure_liquidatable(&victim)
			.map_err(|_| BenchmarkError::Stop("the scenario is not liquidatable"))?;
		#[extrinsic_call]
		liquidate(RawOrigin::Authorized, victim.clone(), counterparties);

		assert_liquidated::<T>(&victim, most);
		Ok(())
	}

	#[benchmark]
	fn authorize_liquidate(
		p: Linear<1, { <T as pallet_margin::Config>::MaxPositions::get() }>,
	) -> Result<(), BenchmarkError> {
		let (victim, counterparties) = scenario::<T>(p, 0);
		let call = Call::<T>::liquidate { subaccount: victim, counterparties };

		#[block]
		{
			use frame_support::pallet_prelude::Authorize;
			call.authorize(TransactionSource::External)
				.ok_or(BenchmarkError::Stop("liquidate is authorized"))?
				.map_err(|_| BenchmarkError::Stop("the scenario is liquidatable"))?;
		}
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::default().build(), crate::mock::Test);
}
