//! Proposing, scheduling, cancelling and enacting changes.

use crate::{
	classify::{self, BoundError, Direction},
	pallet::*,
	weights::WeightInfo,
	ChangeId, ParameterKey, PendingChange, RiskChange, RiskParameters,
};
use alloc::{vec, vec::Vec};
use frame_support::{
	ensure,
	storage::{with_storage_layer, with_transaction},
	traits::Get,
	weights::Weight,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::Saturating, DispatchError, DispatchResult, Permill, TransactionOutcome,
};

impl<T: Config> From<BoundError> for Error<T> {
	fn from(error: BoundError) -> Self {
		match error {
			BoundError::OutOfBounds => Error::<T>::OutOfBounds,
			BoundError::StepTooLarge => Error::<T>::StepTooLarge,
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The value `key` had when its step window opened, if one is open (until a timelock
	/// after the last change to it); `current` otherwise.
	fn anchored(key: ParameterKey, current: u128) -> u128 {
		let now = frame_system::Pallet::<T>::block_number();
		let window = Timelock::<T>::get().max(T::MinTimelock::get());
		match StepAnchors::<T>::get(key) {
			Some((value, since)) if now < since.saturating_add(window) => value,
			_ => current,
		}
	}

	/// What reading and opening the step windows of one change may cost: at most twelve
	/// parameters (a scenario grid's), each anchor read on assessing and on opening and
	/// written once, and the grid read twice.
	pub fn step_window_weight() -> Weight {
		T::DbWeight::get().reads_writes(26, 12)
	}

	/// Records a change to `key` (whose value was `current`): a window already open keeps its
	/// anchor and runs a timelock from now (so changes a timelock apart at most open a new
	/// one: no pair of windows lets two steps through in quick succession); otherwise a window
	/// opens at `current`.
	fn open_window(key: ParameterKey, current: u128) {
		let now = frame_system::Pallet::<T>::block_number();
		let window = Timelock::<T>::get().max(T::MinTimelock::get());
		let anchor = match StepAnchors::<T>::get(key) {
			Some((value, last)) if now < last.saturating_add(window) => value,
			_ => current,
		};
		StepAnchors::<T>::insert(key, (anchor, now));
	}

	/// The parameters `change` moves and their values now (nothing for one it does not
	/// step: a status, a feeder, a new market or collateral, an upgrade).
	fn parameters_of(change: &RiskChangeOf<T>) -> Vec<(ParameterKey, u128)> {
		let permill = |p: Permill| u128::from(p.deconstruct());
		match change {
			RiskChange::SetMarketMargin { market, .. } => T::Parameters::market_margin(*market)
				.map(|m| vec![
					(ParameterKey::InitialMargin(*market), permill(m.initial)),
					(ParameterKey::MaintenanceMargin(*market), permill(m.maintenance)),
				])
				.unwrap_or_default(),
			RiskChange::SetOpenInterestCap { market, .. } => T::Parameters::open_interest_cap(*market)
				.map(|cap| vec![(ParameterKey::OpenInterestCap(*market), cap)])
				.unwrap_or_default(),
			RiskChange::SetHaircut { asset, .. } |
			RiskChange::SetDepositCap { asset, .. } |
			RiskChange::ListCollateral { asset, .. } => T::Parameters::collateral(*asset)
				.map(|(haircut, cap)| vec![
					(ParameterKey::Haircut(*asset), permill(haircut)),
					(ParameterKey::DepositCap(*asset), cap),
				])
				.unwrap_or_default(),
			RiskChange::SetOracleLimits { .. } => {
				let limits = T::Parameters::oracle_limits();
				vec![
					(ParameterKey::MinFeeders, u128::from(limits.min_feeders)),
					(ParameterKey::MaxAge, u128::from(limits.max_age_ms)),
					(ParameterKey::MaxJump, permill(limits.max_jump)),
				]
			},
			RiskChange::SetUnstakeCooldown { .. } =>
				vec![(ParameterKey::UnstakeCooldown, u128::from(T::Parameters::unstake_cooldown()))],
			RiskChange::SetLiquidationPenalty { .. } =>
				vec![(ParameterKey::LiquidationPenalty, permill(T::Parameters::liquidation_penalty()))],
			RiskChange::SetOptionParams { .. } => {
				let terms = T::Parameters::option_terms();
				vec![
					(ParameterKey::OptionInitialBase, permill(terms.initial_base)),
					(ParameterKey::OptionInitialFloor, permill(terms.initial_floor)),
					(ParameterKey::OptionMaintenance, permill(terms.maintenance)),
					(ParameterKey::OptionRealizedFloor, permill(terms.realized_floor)),
				]
			},
			RiskChange::SetScenarioGrid { asset, .. } => classify::grid_fields(&T::Parameters::scenario_grid(*asset))
				.into_iter()
				.map(|(field, value)| (ParameterKey::ScenarioGrid(*asset, field), value))
				.collect(),
			RiskChange::SetHaircutCurve { asset, .. } => T::Parameters::collateral(*asset)
				.map(|(_, deposit_cap)| {
					// No curve is the neutral one at the deposit cap: a first curve opens windows too.
					let current = T::Parameters::haircut_curve(*asset).unwrap_or_else(|| classify::neutral_curve(deposit_cap));
					classify::curve_fields(&current)
						.into_iter()
						.map(|(field, value)| (ParameterKey::HaircutCurve(*asset, field), value))
						.collect()
				})
				.unwrap_or_default(),
			_ => Vec::new(),
		}
	}

	/// Enacts `change` and opens the step windows of the parameters it moved.
	fn enact(change: &RiskChangeOf<T>) -> DispatchResult {
		let moved = Self::parameters_of(change);
		T::Parameters::enact(change)?;
		for (key, was) in moved {
			Self::open_window(key, was);
		}
		Ok(())
	}

	/// Which way `change` moves risk from what is set now, if it is within bounds, and
	/// within one step both of what is set now and of where each parameter it moves stood
	/// when its step window opened (so chained changes within a timelock move a parameter
	/// at most one step in all, whichever calls they take).
	pub fn assess(change: &RiskChangeOf<T>) -> Result<Direction, DispatchError> {
		let bound = |e: BoundError| DispatchError::from(Error::<T>::from(e));
		let fraction = |key: ParameterKey, current: Permill| {
			let anchored = Self::anchored(key, u128::from(current.deconstruct()));
			Permill::from_parts(u32::try_from(anchored).unwrap_or(u32::MAX))
		};
		let direction = match change {
			RiskChange::SetMarketMargin { market, initial, maintenance } => {
				let current = T::Parameters::market_margin(*market).ok_or(Error::<T>::MarketNotFound)?;
				let proposed =
					classify::MarginFractions { initial: *initial, maintenance: *maintenance };
				let anchor = classify::MarginFractions {
					initial: fraction(ParameterKey::InitialMargin(*market), current.initial),
					maintenance: fraction(ParameterKey::MaintenanceMargin(*market), current.maintenance),
				};
				classify::margin(anchor, proposed).map_err(bound)?;
				classify::margin(current, proposed).map_err(bound)?
			},
			RiskChange::SetOpenInterestCap { market, max_open_interest } => {
				let current = T::Parameters::open_interest_cap(*market).ok_or(Error::<T>::MarketNotFound)?;
				let anchor = Self::anchored(ParameterKey::OpenInterestCap(*market), current);
				classify::cap(anchor, *max_open_interest).map_err(bound)?;
				classify::cap(current, *max_open_interest).map_err(bound)?
			},
			RiskChange::SetMarketStatus { market, status } => {
				let current = T::Parameters::market_status(*market).ok_or(Error::<T>::MarketNotFound)?;
				classify::status(current, *status)
			},
			RiskChange::ListMarket { listing, .. } => {
				classify::margin_in_bounds(T::Parameters::listing_margin(listing)).map_err(bound)?;
				classify::listing()
			},
			RiskChange::SetHaircut { asset, haircut } => {
				let (current, _) = T::Parameters::collateral(*asset).ok_or(Error::<T>::NotCollateral)?;
				classify::haircut(fraction(ParameterKey::Haircut(*asset), current), *haircut).map_err(bound)?;
				classify::haircut(current, *haircut).map_err(bound)?
			},
			RiskChange::SetDepositCap { asset, deposit_cap } => {
				let (_, current) = T::Parameters::collateral(*asset).ok_or(Error::<T>::NotCollateral)?;
				let anchor = Self::anchored(ParameterKey::DepositCap(*asset), current);
				classify::cap(anchor, *deposit_cap).map_err(bound)?;
				classify::cap(current, *deposit_cap).map_err(bound)?
			},
			RiskChange::ListCollateral { asset, listing } => {
				let haircut = T::Parameters::listing_haircut(listing);
				classify::haircut_in_bounds(haircut).map_err(bound)?;
				// Listing an asset again changes its haircut and cap: the same steps apply.
				if let Some((current, cap)) = T::Parameters::collateral(*asset) {
					let deposit_cap = T::Parameters::listing_deposit_cap(listing);
					classify::haircut(fraction(ParameterKey::Haircut(*asset), current), haircut).map_err(bound)?;
					classify::haircut(current, haircut).map_err(bound)?;
					classify::cap(Self::anchored(ParameterKey::DepositCap(*asset), cap), deposit_cap).map_err(bound)?;
					classify::cap(cap, deposit_cap).map_err(bound)?;
				}
				classify::listing()
			},
			RiskChange::SetOracleLimits { min_feeders, max_age_ms, max_jump } => {
				let proposed = classify::OracleLimits {
					min_feeders: *min_feeders,
					max_age_ms: *max_age_ms,
					max_jump: *max_jump,
				};
				let current = T::Parameters::oracle_limits();
				let anchor = classify::OracleLimits {
					min_feeders: u32::try_from(Self::anchored(ParameterKey::MinFeeders, current.min_feeders.into()))
						.unwrap_or(u32::MAX),
					max_age_ms: u64::try_from(Self::anchored(ParameterKey::MaxAge, current.max_age_ms.into()))
						.unwrap_or(u64::MAX),
					max_jump: fraction(ParameterKey::MaxJump, current.max_jump),
				};
				classify::oracle(anchor, proposed).map_err(bound)?;
				classify::oracle(current, proposed).map_err(bound)?
			},
			RiskChange::AddFeeder { feeder } => {
				ensure!(!T::Parameters::is_feeder(feeder), Error::<T>::AlreadyFeeder);
				classify::add_feeder()
			},
			RiskChange::RemoveFeeder { feeder } => {
				ensure!(T::Parameters::is_feeder(feeder), Error::<T>::NotFeeder);
				classify::remove_feeder()
			},
			RiskChange::SetUnstakeCooldown { blocks } => {
				let current = T::Parameters::unstake_cooldown();
				let anchor = u32::try_from(Self::anchored(ParameterKey::UnstakeCooldown, current.into()))
					.unwrap_or(u32::MAX);
				classify::cooldown(anchor, *blocks).map_err(bound)?;
				classify::cooldown(current, *blocks).map_err(bound)?
			},
			RiskChange::SetLiquidationPenalty { rate } => {
				let current = T::Parameters::liquidation_penalty();
				classify::penalty(fraction(ParameterKey::LiquidationPenalty, current), *rate).map_err(bound)?;
				classify::penalty(current, *rate).map_err(bound)?
			},
			RiskChange::AuthorizeUpgrade { .. } => classify::listing(),
			RiskChange::SetFeeTiers { .. } => classify::fee_tiers(),
			RiskChange::ListSeries { .. } => classify::listing(),
			RiskChange::SetListingSchedule { schedule, .. } => classify::listing_schedule(schedule.is_some()),
			RiskChange::SetOptionParams { params } => {
				let current = T::Parameters::option_terms();
				let proposed = T::Parameters::proposed_option_terms(params);
				let anchor = classify::OptionTerms {
					initial_base: fraction(ParameterKey::OptionInitialBase, current.initial_base),
					initial_floor: fraction(ParameterKey::OptionInitialFloor, current.initial_floor),
					maintenance: fraction(ParameterKey::OptionMaintenance, current.maintenance),
					realized_floor: fraction(ParameterKey::OptionRealizedFloor, current.realized_floor),
					..current
				};
				classify::option_terms(anchor, proposed).map_err(bound)?;
				classify::option_terms(current, proposed).map_err(bound)?
			},
			RiskChange::SetSettlementPrice { .. } => classify::settlement_price(),
			RiskChange::SetScenarioGrid { asset, grid } => {
				let current = T::Parameters::scenario_grid(*asset);
				let anchor = classify::grid_with(&current, |field, value| {
					Self::anchored(ParameterKey::ScenarioGrid(*asset, field), value)
				});
				classify::scenario_grid(&anchor, grid).map_err(bound)?;
				classify::scenario_grid(&current, grid).map_err(bound)?
			},
			RiskChange::SetHaircutCurve { asset, curve } => {
				let (_, deposit_cap) = T::Parameters::collateral(*asset).ok_or(Error::<T>::NotCollateral)?;
				let current = T::Parameters::haircut_curve(*asset);
				// Anchors of a window a curve (or its neutral start) opened, even if it has
				// since been removed: removing and re-adding moves nothing further per window.
				let anchor_of = |curve: &clearing_primitives::haircut::HaircutCurve| {
					classify::curve_with(curve, |field, value| Self::anchored(ParameterKey::HaircutCurve(*asset, field), value))
				};
				let neutral = classify::neutral_curve(deposit_cap);
				let anchor = anchor_of(current.as_ref().unwrap_or(&neutral));
				let direction = classify::haircut_curve(current.as_ref(), curve.as_ref(), deposit_cap).map_err(bound)?;
				if direction != classify::Direction::Unchanged {
					classify::haircut_curve(Some(&anchor), curve.as_ref(), deposit_cap).map_err(bound)?;
				}
				direction
			},
		};
		Ok(direction)
	}

	pub(crate) fn do_propose(change: RiskChangeOf<T>) -> DispatchResult {
		match Self::assess(&change)? {
			Direction::Unchanged => Err(Error::<T>::NoChange.into()),
			Direction::Reduces => {
				Self::enact(&change)?;
				Self::deposit_event(Event::ChangeEnacted { id: None, change });
				Ok(())
			},
			Direction::Increases => Self::schedule(change),
		}
	}

	/// Schedules a risk-increasing `change` after a dry run of its enactment.
	fn schedule(change: RiskChangeOf<T>) -> DispatchResult {
		ensure!(Pending::<T>::count() < T::MaxPending::get(), Error::<T>::TooManyPending);
		// Would the owning pallet take it now? Tell the proposer at once, not in a day.
		with_transaction(|| {
			TransactionOutcome::Rollback(T::Parameters::enact(&change))
		})?;
		let now = frame_system::Pallet::<T>::block_number();
		// Never below the floor, whatever storage holds (a chain that gained the pallet by an
		// upgrade starts at zero until its migration runs).
		let timelock = Timelock::<T>::get().max(T::MinTimelock::get());
		let enact_at = now.saturating_add(timelock);
		let id = NextChangeId::<T>::get();
		Agenda::<T>::try_mutate(enact_at, |due| due.try_push(id))
			.map_err(|_| Error::<T>::AgendaFull)?;
		NextChangeId::<T>::put(id.wrapping_add(1));
		Pending::<T>::insert(id, PendingChange { change: change.clone(), scheduled_at: now, enact_at });
		Self::deposit_event(Event::ChangeScheduled { id, change, enact_at });
		Ok(())
	}

	pub(crate) fn do_cancel(id: ChangeId) -> DispatchResult {
		let pending = Pending::<T>::take(id).ok_or(Error::<T>::ChangeNotFound)?;
		Agenda::<T>::mutate_exists(pending.enact_at, |due| {
			if let Some(ids) = due {
				ids.retain(|other| *other != id);
				if ids.is_empty() {
					*due = None;
				}
			}
		});
		Self::deposit_event(Event::ChangeCancelled { id });
		Ok(())
	}

	/// Enacts the changes due at the start of block `n`, each re-checked against its bounds
	/// and steps first; a change that fails leaves nothing behind. Returns the weight used.
	pub(crate) fn enact_due(n: BlockNumberFor<T>) -> Weight {
		let due = Agenda::<T>::take(n);
		let mut weight = T::WeightInfo::on_initialize(due.len() as u32);
		for id in due {
			let Some(pending) = Pending::<T>::take(id) else { continue };
			weight = weight
				.saturating_add(T::Parameters::enact_weight(&pending.change))
				.saturating_add(Self::step_window_weight());
			let outcome = with_storage_layer(|| {
				Self::assess(&pending.change)?;
				Self::enact(&pending.change)
			});
			match outcome {
				Ok(()) => Self::deposit_event(Event::ChangeEnacted {
					id: Some(id),
					change: pending.change,
				}),
				Err(error) => Self::deposit_event(Event::ChangeFailed { id, error }),
			}
		}
		weight
	}

	/// Every pending change is due at its block and in that block's agenda, and no agenda
	/// names a change that is not pending; the pending count is within `MaxPending`.
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let now = frame_system::Pallet::<T>::block_number();
		let mut pending: u32 = 0;
		for (id, change) in Pending::<T>::iter() {
			pending = pending.saturating_add(1);
			ensure!(change.enact_at > now, "a pending change is overdue");
			ensure!(Agenda::<T>::get(change.enact_at).contains(&id), "a pending change is off the agenda");
		}
		ensure!(pending == Pending::<T>::count(), "the pending count is off");
		ensure!(pending <= T::MaxPending::get(), "more pending changes than MaxPending");
		for (at, ids) in Agenda::<T>::iter() {
			for id in ids {
				ensure!(
					Pending::<T>::get(id).is_some_and(|p| p.enact_at == at),
					"the agenda names a change that is not pending then"
				);
			}
		}
		Ok(())
	}
}
