//! Benchmarks at the worst case of the pallet's own work: a bankrupt subaccount holding
//! `MaxPositions` positions, the fund empty, so its largest market is deleveraged across
//! `MaxCounterparties` counterparties (each ranked by a health read over as many positions)
//! and the next goes to the backstop. The book's closes are weighed by the book
//! (`LiquidationBook::close_weight`) and added per market.

use super::*;
use crate::pallet::*;
use alloc::vec::Vec;
use clearing_primitives::collateral::Subaccount;
use frame_benchmarking::v2::*;
use frame_support::{pallet_prelude::TransactionSource, traits::Get};
use frame_system::RawOrigin;

fn scenario<T: Config>() -> (SubaccountOf<T>, CounterpartiesOf<T>) {
	let victim = Subaccount::new(account::<T::AccountId>("victim", 0, 0), 0);
	let counterparties: Vec<_> = T::Scenario::bankrupt(
		&victim,
		<T as pallet_margin::Config>::MaxPositions::get(),
		T::MaxCounterparties::get(),
	);
	let offered = counterparties.try_into().unwrap_or_default();
	(victim, offered)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn liquidate() -> Result<(), BenchmarkError> {
		let (victim, counterparties) = scenario::<T>();
		// The keeper's call: only it may offer counterparties to deleverage.
		Pallet::<T>::ensure_liquidatable(&victim)
			.map_err(|_| BenchmarkError::Stop("the scenario is not liquidatable"))?;
		#[extrinsic_call]
		liquidate(RawOrigin::Authorized, victim.clone(), counterparties);

		assert!(
			frame_system::Pallet::<T>::events().len() > 0 &&
				pallet_margin::Positions::<T>::iter_prefix(&victim).count() <
					<T as pallet_margin::Config>::MaxPositions::get() as usize,
			"positions were liquidated"
		);
		Ok(())
	}

	#[benchmark]
	fn authorize_liquidate() -> Result<(), BenchmarkError> {
		let (victim, counterparties) = scenario::<T>();
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
