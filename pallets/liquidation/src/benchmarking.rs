//! Benchmarks of the pallet's own work, in its two paths. `liquidate(p)`: a bankrupt
//! subaccount holding `p` positions (every health read walks them), a fund that covers its
//! loss, the backstop taking the positions over. `liquidate_deleveraging(c)`: the same at
//! `MaxPositions` positions with an empty fund, so its largest market is deleveraged across
//! `c` counterparties (each ranked by a health read over `MaxPositions` positions) and the next
//! goes to the backstop. Measured apart so neither path is charged the other's reads. Every
//! market worked is first closed against the runtime's real, empty book, so a close that
//! fills nothing is measured here; the book reports the weight of the fills a close makes.
//! The keeper's checks (`authorize_*`) include verifying its signature.

use super::*;
use crate::pallet::*;
use alloc::vec::Vec;
use clearing_primitives::{collateral::Subaccount, positions::MarginAccounts};
use frame_benchmarking::v2::*;
use frame_support::{pallet_prelude::TransactionSource, traits::Get};
use frame_system::RawOrigin;

fn scenario<T: Config>(positions: u32, counterparties: u32) -> (SubaccountOf<T>, CounterpartiesOf<T>) {
	scenario_of::<T>(0, positions, counterparties)
}

fn scenario_of<T: Config>(
	index: u32,
	positions: u32,
	counterparties: u32,
) -> (SubaccountOf<T>, CounterpartiesOf<T>) {
	let victim = Subaccount::new(account::<T::AccountId>("victim", index, 0), 0);
	let counterparties: Vec<_> = T::BenchmarkHelper::bankrupt(&victim, positions, counterparties);
	let offered = counterparties.try_into().unwrap_or_default();
	(victim, offered)
}

/// The benchmark keeper's proof of a `keeper_liquidate` of `victim` offering `counterparties`.
fn proof<T: Config>(victim: &SubaccountOf<T>, counterparties: &CounterpartiesOf<T>) -> Result<KeeperProofOf<T>, BenchmarkError> {
	let statement = crate::proof::Statement::Liquidate { subaccount: victim, counterparties: counterparties.as_slice() };
	Pallet::<T>::prove(&T::BenchmarkHelper::keeper(), &statement, frame_system::Pallet::<T>::block_number())
		.ok_or(BenchmarkError::Stop("the keeper key signs"))
}

/// The benchmark keeper's proof of a `liquidate_batch`.
fn batch_proof<T: Config>(batch: &BatchOf<T>, max_positions: u32) -> Result<KeeperProofOf<T>, BenchmarkError> {
	let statement = crate::proof::Statement::Batch { subaccounts: batch.as_slice(), max_positions };
	Pallet::<T>::prove(&T::BenchmarkHelper::keeper(), &statement, frame_system::Pallet::<T>::block_number())
		.ok_or(BenchmarkError::Stop("the keeper key signs"))
}

/// Fewer positions than `positions` are left: the call liquidated something.
fn assert_liquidated<T: Config>(victim: &SubaccountOf<T>, positions: u32) {
	assert!(
		frame_system::Pallet::<T>::events().len() > 0 &&
			T::Margin::position_count(victim) < positions &&
			T::Margin::positions_of(victim).len() as u32 == T::Margin::position_count(victim),
		"positions were liquidated"
	);
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn liquidate(
		p: Linear<1, { T::Margin::max_standard_positions() }>,
	) -> Result<(), BenchmarkError> {
		let (victim, counterparties) = scenario::<T>(p, 0);
		Pallet::<T>::ensure_liquidatable(&victim)
			.map_err(|_| BenchmarkError::Stop("the scenario is not liquidatable"))?;
		let proof = proof::<T>(&victim, &counterparties)?;
		#[extrinsic_call]
		keeper_liquidate(RawOrigin::Authorized, victim.clone(), counterparties, proof);

		assert_liquidated::<T>(&victim, p);
		Ok(())
	}

	#[benchmark]
	fn liquidate_deleveraging(c: Linear<1, { T::MaxCounterparties::get() }>) -> Result<(), BenchmarkError> {
		let most = T::Margin::max_standard_positions();
		let (victim, counterparties) = scenario::<T>(most, c);
		// The keeper's call: only it may offer counterparties to deleverage.
		Pallet::<T>::ensure_liquidatable(&victim)
			.map_err(|_| BenchmarkError::Stop("the scenario is not liquidatable"))?;
		let proof = proof::<T>(&victim, &counterparties)?;
		#[extrinsic_call]
		keeper_liquidate(RawOrigin::Authorized, victim.clone(), counterparties, proof);

		assert_liquidated::<T>(&victim, most);
		Ok(())
	}

	#[benchmark]
	fn authorize_liquidate(
		p: Linear<1, { T::Margin::max_standard_positions() }>,
	) -> Result<(), BenchmarkError> {
		let (victim, counterparties) = scenario::<T>(p, 0);
		let proof = proof::<T>(&victim, &counterparties)?;
		let call = Call::<T>::keeper_liquidate { subaccount: victim, counterparties, proof };

		#[block]
		{
			use frame_support::pallet_prelude::Authorize;
			call.authorize(TransactionSource::External)
				.ok_or(BenchmarkError::Stop("liquidate is authorized"))?
				.map_err(|_| BenchmarkError::Stop("the scenario is liquidatable"))?;
		}
		Ok(())
	}

	/// `n` bankrupt subaccounts of one position each (in the same market, as in a crash),
	/// a fund that covers them all: the batch's shared part and each entry's own.
	#[benchmark]
	fn liquidate_batch(n: Linear<1, { T::MaxBatch::get() }>) -> Result<(), BenchmarkError> {
		let victims: Vec<_> = (0..n).map(|i| scenario_of::<T>(i, 1, 0).0).collect();
		for victim in &victims {
			Pallet::<T>::ensure_liquidatable(victim)
				.map_err(|_| BenchmarkError::Stop("the scenario is not liquidatable"))?;
		}
		let batch: BatchOf<T> =
			victims.clone().try_into().map_err(|_| BenchmarkError::Stop("within MaxBatch"))?;
		let proof = batch_proof::<T>(&batch, 1)?;

		#[extrinsic_call]
		liquidate_batch(RawOrigin::Authorized, batch, 1, proof);

		for victim in &victims {
			assert_liquidated::<T>(victim, 1);
		}
		Ok(())
	}

	/// `n` solvent subaccounts below maintenance, one position each, an empty book: each
	/// taken over by the backstop at the mark less the penalty, no money moved beyond that.
	#[benchmark]
	fn liquidate_batch_solvent(n: Linear<1, { T::MaxBatch::get() }>) -> Result<(), BenchmarkError> {
		let victims: Vec<_> = (0..n)
			.map(|i| {
				let victim = Subaccount::new(account::<T::AccountId>("victim", i, 0), 0);
				T::BenchmarkHelper::underwater(&victim);
				victim
			})
			.collect();
		for victim in &victims {
			let health = Pallet::<T>::ensure_liquidatable(victim)
				.map_err(|_| BenchmarkError::Stop("the scenario is not liquidatable"))?;
			if health.equity < 0 {
				return Err(BenchmarkError::Stop("the scenario is bankrupt"));
			}
		}
		let batch: BatchOf<T> =
			victims.clone().try_into().map_err(|_| BenchmarkError::Stop("within MaxBatch"))?;
		let proof = batch_proof::<T>(&batch, 1)?;

		#[extrinsic_call]
		liquidate_batch(RawOrigin::Authorized, batch, 1, proof);

		for victim in &victims {
			assert_liquidated::<T>(victim, 1);
		}
		Ok(())
	}

	#[benchmark]
	fn authorize_liquidate_batch(n: Linear<1, { T::MaxBatch::get() }>) -> Result<(), BenchmarkError> {
		let victims: Vec<_> = (0..n).map(|i| scenario_of::<T>(i, 1, 0).0).collect();
		let batch: BatchOf<T> =
			victims.try_into().map_err(|_| BenchmarkError::Stop("within MaxBatch"))?;
		let proof = batch_proof::<T>(&batch, 1)?;
		let call = Call::<T>::liquidate_batch { subaccounts: batch, max_positions: 1, proof };

		#[block]
		{
			use frame_support::pallet_prelude::Authorize;
			call.authorize(TransactionSource::External)
				.ok_or(BenchmarkError::Stop("liquidate_batch is authorized"))?
				.map_err(|_| BenchmarkError::Stop("every entry is liquidatable"))?;
		}
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::default().build(), crate::mock::Test);
}
