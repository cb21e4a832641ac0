//! Conditional orders (triggers): stored with a deposit, queued per market and direction in
//! firing order, and fired by the block-start hook when the fresh index reaches them, each
//! placing its order through the same path as a trader's, within a per-block weight budget.

use crate::{
	pallet::*,
	placing::{PlacedBy, Request},
	weights::WeightInfo,
	Crossing, OrderKind, Trigger, TriggerCancelReason, TriggerId, TriggerKind,
};
use alloc::vec::Vec;
use clearing_primitives::{
	collateral::SubaccountNumber,
	margin::{MarginEngine, Side},
	Balance, MarketId, Price,
};
use codec::{Compact, CompactLen, Decode};
use frame_support::{ensure, storage::with_storage_layer, traits::Get, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::UniqueSaturatedInto, DispatchError, DispatchResult};

/// A trigger as asked for, before any check.
pub(crate) struct NewTrigger<T: Config> {
	pub owner: SubaccountOf<T>,
	pub market: MarketId,
	pub side: Side,
	pub kind: TriggerKind,
	pub trigger_price: Price,
	pub price: Price,
	pub size: Option<Balance>,
	pub reduce_only: bool,
}

impl<T: Config> Pallet<T> {
	/// The most one fired trigger may cost, its queue's share included: `fire_triggers(1)`
	/// (its removal and its order resting, for an owner without positions), its pair and its
	/// position read, its order's fills at `MaxTriggerFills` with the margin engine's worst
	/// for each and for the rest, an eviction, and its being queued again.
	pub fn fire_trigger_weight() -> Weight {
		Self::queue_share_weight().saturating_add(Self::fire_more_weight())
	}

	/// What a queue's triggers share, charged once per queue and block: `fire_triggers(0)`
	/// (the market's rules, the queue, the book's prices), and the second side's prices
	/// written (a queue holds stops of one side and take-profits of the other; the benchmark
	/// rests on one).
	fn queue_share_weight() -> Weight {
		T::WeightInfo::fire_triggers(0).saturating_add(T::DbWeight::get().writes(1))
	}

	/// `fire_trigger_weight` beyond the queue's share.
	fn fire_more_weight() -> Weight {
		let fills = T::MaxTriggerFills::get().min(T::MaxFills::get());
		Self::trigger_weight()
			.saturating_add(Self::pair_and_position_weight(true, true))
			.saturating_add(T::WeightInfo::place_order(fills))
			.saturating_add(T::Margin::apply_fill_weight().saturating_mul(u64::from(fills)))
			.saturating_add(T::Margin::reserve_order_margin_weight())
			.saturating_add(T::WeightInfo::evict_level(T::MaxOrdersPerLevel::get()))
			.saturating_add(T::WeightInfo::place_trigger())
	}

	/// One more trigger fired whose order rests, beyond its queue's share: the slope of
	/// `fire_triggers`, whose benchmark measures its owner's, its level's and its own storage
	/// (what every trigger of a queue shares it counts once).
	fn trigger_weight() -> Weight {
		T::WeightInfo::fire_triggers(1).saturating_sub(T::WeightInfo::fire_triggers(0))
	}

	/// What a trigger's pair (cancelled or unpaired, at most a `cancel_trigger`) and its
	/// position read (sized to it or reduce-only) add to `trigger_weight`.
	fn pair_and_position_weight(paired: bool, reads_position: bool) -> Weight {
		let pair = if paired { T::WeightInfo::cancel_trigger() } else { Weight::zero() };
		let position = if reads_position { T::DbWeight::get().reads(1) } else { Weight::zero() };
		pair.saturating_add(position)
	}

	/// What `place_trigger` may cost: its benchmark and the margin engine's worst case for
	/// the deposit (the benchmark's owner holds no position).
	pub fn place_trigger_weight() -> Weight {
		T::WeightInfo::place_trigger().saturating_add(T::Margin::reserve_order_margin_weight())
	}

	/// What `place_tp_sl` may cost: its benchmark and two deposits at the margin engine's
	/// worst case.
	pub fn place_tp_sl_weight() -> Weight {
		T::WeightInfo::place_tp_sl().saturating_add(T::Margin::reserve_order_margin_weight().saturating_mul(2))
	}

	/// Checks `new` against its market and the bounds, sets its deposit aside and queues it
	/// (`TriggerPlaced`); returns its id.
	pub(crate) fn add_trigger(new: NewTrigger<T>, pair: Option<TriggerId>) -> Result<TriggerId, DispatchError> {
		let rules = T::Margin::market_rules(new.market).ok_or(Error::<T>::MarketNotFound)?;
		Self::ensure_admitted(rules.status, new.kind.order_kind(), new.reduce_only)?;
		// Refused now, not when it fires: a subaccount isolated to another market.
		T::Margin::ensure_may_trade(&new.owner, new.market)?;
		ensure!(rules.on_tick(new.trigger_price) && rules.on_tick(new.price), Error::<T>::PriceOffTick);
		match new.size {
			Some(size) => ensure!(rules.on_step(size), Error::<T>::SizeOffStep),
			None => {
				ensure!(new.reduce_only, Error::<T>::WholePositionNeedsReduceOnly);
				// Sized to a position: there must be one it closes.
				ensure!(
					Self::reducible(&new.owner, new.market, new.side, Balance::MAX) > 0,
					Error::<T>::NothingToReduce
				);
			},
		}
		let crossing = new.kind.crossing(new.side);
		// A trigger the index has already reached would fire at once, ahead of every trigger
		// waiting: place the order itself instead.
		if let Some(index) = rules.index {
			ensure!(!crossing.fires(new.trigger_price, index), Error::<T>::TriggerAlreadyReached);
		}
		let id = NextTriggerId::<T>::get();
		AccountTriggers::<T>::try_mutate(&new.owner.owner, |ids| ids.try_push(id))
			.map_err(|_| Error::<T>::TooManyTriggers)?;
		let mut queue = TriggerQueues::<T>::get(new.market, crossing);
		// After every trigger that fires sooner or with it: ties keep their age order.
		let at = queue
			.iter()
			.position(|(price, _)| !crossing.sooner(*price, new.trigger_price))
			.unwrap_or(queue.len());
		queue.try_insert(at, (new.trigger_price, id)).map_err(|_| Error::<T>::TriggerQueueFull)?;
		TriggerQueues::<T>::insert(new.market, crossing, queue);
		Self::list_trigger_market(new.market)?;
		let deposit = T::OrderDeposit::get();
		// The deposit only: a trigger adds no risk until it fires.
		T::Margin::reserve_order_margin(&new.owner, new.market, new.side, 0, new.price, deposit)?;
		NextTriggerId::<T>::put(id.saturating_add(1));
		let trigger = Trigger {
			id,
			owner: new.owner,
			market: new.market,
			side: new.side,
			kind: new.kind,
			trigger_price: new.trigger_price,
			price: new.price,
			size: new.size,
			reduce_only: new.reduce_only,
			deposit,
			placed_at: frame_system::Pallet::<T>::block_number(),
			pair,
		};
		Self::deposit_event(Event::TriggerPlaced {
			id,
			owner: trigger.owner.clone(),
			market: trigger.market,
			side: trigger.side,
			kind: trigger.kind,
			trigger_price: trigger.trigger_price,
			price: trigger.price,
			size: trigger.size,
			pair,
		});
		Triggers::<T>::insert(id, trigger);
		Ok(id)
	}

	/// `place_tp_sl`: a reduce-only take-profit and/or stop-loss on the closing side of
	/// `owner`'s position in `market`, sized to the whole position when they fire; given both,
	/// paired so that one firing cancels the other.
	pub(crate) fn do_place_tp_sl(
		owner: SubaccountOf<T>,
		market: MarketId,
		take_profit: Option<(Price, Price)>,
		stop_loss: Option<(Price, Price)>,
	) -> DispatchResult {
		ensure!(take_profit.is_some() || stop_loss.is_some(), Error::<T>::NoTrigger);
		let position = T::Margin::position_size(&owner, market);
		ensure!(position != 0, Error::<T>::NothingToReduce);
		let side = if position > 0 { Side::Sell } else { Side::Buy };
		let closing = |kind, (trigger_price, price): (Price, Price)| NewTrigger::<T> {
			owner: owner.clone(),
			market,
			side,
			kind,
			trigger_price,
			price,
			size: None,
			reduce_only: true,
		};
		let take_profit =
			take_profit.map(|tp| Self::add_trigger(closing(TriggerKind::TakeProfitMarket, tp), None)).transpose()?;
		let stop_loss =
			stop_loss.map(|sl| Self::add_trigger(closing(TriggerKind::StopMarket, sl), take_profit)).transpose()?;
		if let (Some(take_profit), Some(stop_loss)) = (take_profit, stop_loss) {
			Triggers::<T>::mutate(take_profit, |trigger| {
				if let Some(trigger) = trigger {
					trigger.pair = Some(stop_loss);
				}
			});
		}
		Ok(())
	}

	/// `cancel_trigger`: `who`'s trigger `id` leaves, its pair (if any) unpaired.
	pub(crate) fn cancel_trigger_by_owner(who: &T::AccountId, id: TriggerId) -> DispatchResult {
		let trigger = Triggers::<T>::get(id)
			.filter(|trigger| trigger.owner.owner == *who)
			.ok_or(Error::<T>::TriggerNotFound)?;
		Self::remove_trigger(&trigger);
		Self::unpair(&trigger);
		Self::deposit_event(Event::TriggerCancelled { id, reason: TriggerCancelReason::ByOwner });
		Ok(())
	}

	/// The other half of `trigger`'s pair (if any) waits on alone.
	pub(crate) fn unpair(trigger: &TriggerOf<T>) {
		if let Some(pair) = trigger.pair {
			Triggers::<T>::mutate(pair, |other| {
				if let Some(other) = other {
					other.pair = None;
				}
			});
		}
	}

	/// Cancels `owner`'s triggers placed before `at` (its dead-man's switch); returns how
	/// many.
	pub(crate) fn cancel_triggers_before(owner: &SubaccountOf<T>, at: BlockNumberFor<T>) -> u32 {
		let dead: Vec<TriggerOf<T>> = AccountTriggers::<T>::get(&owner.owner)
			.into_iter()
			.filter_map(Triggers::<T>::get)
			.filter(|trigger| trigger.owner == *owner && trigger.placed_at < at)
			.collect();
		let mut cancelled: u32 = 0;
		for trigger in dead {
			// Its pair may have gone with it already.
			if Triggers::<T>::contains_key(trigger.id) {
				Self::remove_trigger(&trigger);
				Self::unpair(&trigger);
				Self::deposit_event(Event::TriggerCancelled {
					id: trigger.id,
					reason: TriggerCancelReason::DeadlineReached,
				});
				cancelled = cancelled.saturating_add(1);
			}
		}
		cancelled
	}

	/// Forgets `trigger`: storage, its queue entry (an emptied queue, and a market left with
	/// none, dropped), its account's list, and the deposit it set aside.
	pub(crate) fn remove_trigger(trigger: &TriggerOf<T>) {
		Triggers::<T>::remove(trigger.id);
		let crossing = trigger.kind.crossing(trigger.side);
		let market = trigger.market;
		TriggerQueues::<T>::mutate_exists(market, crossing, |queue| {
			if let Some(entries) = queue {
				entries.retain(|(_, id)| *id != trigger.id);
				if entries.is_empty() {
					*queue = None;
				}
			}
		});
		let other = match crossing {
			Crossing::Rises => Crossing::Falls,
			Crossing::Falls => Crossing::Rises,
		};
		if !TriggerQueues::<T>::contains_key(market, crossing) && !TriggerQueues::<T>::contains_key(market, other) {
			TriggerMarkets::<T>::mutate(|markets| markets.retain(|m| *m != market));
		}
		AccountTriggers::<T>::mutate_exists(&trigger.owner.owner, |ids| {
			if let Some(list) = ids {
				list.retain(|id| *id != trigger.id);
				if list.is_empty() {
					*ids = None;
				}
			}
		});
		T::Margin::release_order_margin(&trigger.owner, trigger.deposit);
	}

	/// The `(trigger price, id)` at `position` in a queue, reading only that entry.
	pub(crate) fn queue_entry(market: MarketId, crossing: Crossing, position: u32) -> Option<(Price, TriggerId)> {
		const ENTRY: usize = core::mem::size_of::<u128>() + core::mem::size_of::<TriggerId>();
		let key = TriggerQueues::<T>::hashed_key_for(market, crossing);
		let mut prefix = [0u8; 5];
		let stored = sp_io::storage::read(&key, &mut prefix, 0)?;
		let count = Compact::<u32>::decode(&mut prefix.get(..(stored as usize).min(prefix.len()))?).ok()?.0;
		if position >= count {
			return None;
		}
		let offset = (ENTRY as u32)
			.checked_mul(position)?
			.checked_add(<Compact<u32> as CompactLen<u32>>::compact_len(&count) as u32)?;
		let mut entry = [0u8; ENTRY];
		let stored = sp_io::storage::read(&key, &mut entry, offset)?;
		<(Price, TriggerId)>::decode(&mut entry.get(..(stored as usize).min(ENTRY))?).ok()
	}

	/// Fires, market by market (starting at a different one each block) and soonest first,
	/// the triggers the fresh index has reached, while `TriggerBlockWeight` allows a whole
	/// trigger more; returns the weight used.
	pub(crate) fn fire_triggers(now: BlockNumberFor<T>, budget: Weight) -> Weight {
		let markets = TriggerMarkets::<T>::get();
		// Measured for one market (the list read, its rules, two queue heads), charged per
		// market listed.
		let mut used = T::WeightInfo::check_triggers().saturating_mul((markets.len() as u64).max(1));
		if markets.is_empty() || !used.all_lte(budget) {
			return used.min(budget);
		}
		let count = markets.len();
		let start = (UniqueSaturatedInto::<u64>::unique_saturated_into(now) as usize).checked_rem(count).unwrap_or(0);
		for k in 0..count {
			let at = start.saturating_add(k).checked_rem(count).unwrap_or(0);
			let Some(market) = markets.get(at).copied() else { continue };
			let Some(rules) = T::Margin::market_rules(market) else { continue };
			// Nothing fires on an old or flagged price, nor where the market takes no orders
			// that close (halted, post-only): its triggers wait rather than fail.
			let (true, Some(index)) = (rules.index_fresh, rules.index) else { continue };
			if !rules.status.admits(false, true) {
				continue;
			}
			for crossing in [Crossing::Rises, Crossing::Falls] {
				let mut share = Self::queue_share_weight();
				// Triggers cut short by the fill bound wait at the head for the next block,
				// once: the triggers behind them get their turn in this one.
				let mut again: u32 = 0;
				loop {
					if !used.saturating_add(share).saturating_add(Self::fire_more_weight()).all_lte(budget) {
						return used;
					}
					let Some((trigger_price, id)) = Self::queue_entry(market, crossing, again) else { break };
					if !crossing.fires(trigger_price, index) {
						break;
					}
					used.saturating_accrue(core::mem::take(&mut share));
					let (weight, queued_again) = Self::fire(market, crossing, id, index, again);
					used.saturating_accrue(weight);
					again = again.saturating_add(u32::from(queued_again));
				}
			}
		}
		used
	}

	/// Fires trigger `id` (at `position` in `market`'s `crossing` queue, every trigger ahead
	/// of it fired in this block already) at `index`: it leaves with its deposit, its pair is
	/// cancelled, and its order is placed as a trader's with up to `MaxTriggerFills` fills
	/// (`TriggerFired` with the order's id or its refusal). An order stopped by that bound
	/// with size left puts the trigger back where it was with the rest, still paired. Returns
	/// the weight used beyond the queue's share, and whether it went back.
	pub(crate) fn fire(
		market: MarketId,
		crossing: Crossing,
		id: TriggerId,
		index: Price,
		position: u32,
	) -> (Weight, bool) {
		let Some(trigger) = Triggers::<T>::get(id) else {
			// An entry without its trigger (never expected): drop it so the queue moves on.
			TriggerQueues::<T>::mutate_exists(market, crossing, |queue| {
				if let Some(entries) = queue {
					entries.retain(|(_, queued)| *queued != id);
					if entries.is_empty() {
						*queue = None;
					}
				}
			});
			return (Self::trigger_weight(), false);
		};
		Self::remove_trigger(&trigger);
		let removed = Self::trigger_weight()
			.saturating_add(Self::pair_and_position_weight(trigger.pair.is_some(), trigger.reduce_only));
		// Its owner's dead-man's switch has passed since it was placed: it places nothing.
		if Self::switch_passed_since(&trigger.owner, trigger.placed_at) {
			Self::unpair(&trigger);
			Self::deposit_event(Event::TriggerCancelled { id, reason: TriggerCancelReason::DeadlineReached });
			return (removed, false);
		}
		let size = match trigger.size {
			Some(size) => size,
			None => T::Margin::position_size(&trigger.owner, market).unsigned_abs(),
		};
		let order_kind = trigger.kind.order_kind();
		let max_fills = T::MaxTriggerFills::get().min(T::MaxFills::get());
		let mut steps = 0;
		let placed = with_storage_layer(|| {
			ensure!(size > 0, Error::<T>::NothingToReduce);
			Self::place_counted(
				Request {
					owner: trigger.owner.clone(),
					market,
					side: trigger.side,
					price: trigger.price,
					size,
					kind: order_kind,
					reduce_only: trigger.reduce_only,
					by: PlacedBy::Trader { max_fills },
					client_id: None,
				},
				&mut steps,
			)
		});
		let fills_weight = |fills: u32| {
			if fills == 0 {
				Weight::zero()
			} else {
				T::WeightInfo::place_order(fills)
			}
		};
		// Its pair goes only once this one has done its whole job (filled in full, or rested
		// what it did not fill), or when there is no position left to protect: a refused or
		// partly filled take-profit never strips a position of its stop.
		let nothing_to_reduce = DispatchError::from(Error::<T>::NothingToReduce);
		let (result, placing, done, again) = match placed {
			Ok(matched) => {
				let done = match order_kind {
					OrderKind::ImmediateOrCancel => matched.size >= size,
					_ => !matched.fill_bound_reached,
				};
				// Cut short by the fill bound with size left, having filled some: the rest
				// fires again. (A firing that only met dead, refused or own orders does not
				// come back, or such orders could hold a queue's head block after block.)
				let again = (matched.fill_bound_reached && matched.size > 0 && matched.size < size)
					.then(|| trigger.size.map(|whole| whole.saturating_sub(matched.size)));
				// The owner's margin check at no positions is in `trigger_weight` already.
				let margin = matched.margin_weight.saturating_sub(T::Margin::reserve_order_margin_base_weight());
				(Ok(matched.id.unwrap_or_default()), fills_weight(matched.fills).saturating_add(margin), done, again)
			},
			Err(error) => {
				let done = error == nothing_to_reduce;
				// Charged for the stage it reached: nothing placed without a size; else the
				// matching it did and a margin check (an eviction only ever completes a rest).
				let ran = if size == 0 {
					Weight::zero()
				} else {
					fills_weight(steps)
						.saturating_add(T::Margin::apply_fill_weight().saturating_mul(u64::from(steps)))
						.saturating_add(T::Margin::reserve_order_margin_weight())
				};
				(Err(error), ran, done, None)
			},
		};
		let mut used = removed.saturating_add(placing);
		let queued_again = again.is_some_and(|rest| {
			used.saturating_accrue(T::WeightInfo::place_trigger());
			// Never expected to fail: its places were freed by its removal.
			with_storage_layer(|| Self::queue_again(&trigger, rest, position)).is_ok()
		});
		if queued_again {
			// Still paired: the rest fires again.
		} else if done {
			if let Some(pair) = trigger.pair.and_then(Triggers::<T>::get) {
				Self::remove_trigger(&pair);
				Self::deposit_event(Event::TriggerCancelled { id: pair.id, reason: TriggerCancelReason::PairFired });
			}
		} else {
			Self::unpair(&trigger);
		}
		Self::deposit_event(Event::TriggerFired { id, index, result });
		(used, queued_again)
	}

	/// Puts `trigger`, just fired and cut short by the fill bound, back at `position` in its
	/// queue (where it was) with `size` left (`None`: still the whole position) and its pair
	/// kept. Its deposit, released when it fired, is held again without a margin check: an
	/// owner below the initial requirement (where stops fire) keeps the rest of its stop.
	fn queue_again(trigger: &TriggerOf<T>, size: Option<Balance>, position: u32) -> DispatchResult {
		let crossing = trigger.kind.crossing(trigger.side);
		AccountTriggers::<T>::try_mutate(&trigger.owner.owner, |ids| ids.try_push(trigger.id))
			.map_err(|_| Error::<T>::TooManyTriggers)?;
		TriggerQueues::<T>::try_mutate(trigger.market, crossing, |queue| {
			queue.try_insert((position as usize).min(queue.len()), (trigger.trigger_price, trigger.id))
		})
		.map_err(|_| Error::<T>::TriggerQueueFull)?;
		Self::list_trigger_market(trigger.market)?;
		T::Margin::restore_order_margin(&trigger.owner, trigger.deposit);
		Triggers::<T>::insert(trigger.id, Trigger { size, ..trigger.clone() });
		Ok(())
	}

	/// Lists `market` among the markets with triggers waiting, if it is not yet.
	fn list_trigger_market(market: MarketId) -> DispatchResult {
		TriggerMarkets::<T>::try_mutate(|markets| {
			if markets.contains(&market) {
				Ok(())
			} else {
				markets.try_push(market)
			}
		})
		.map_err(|_| Error::<T>::TriggerQueueFull.into())
	}

	/// `OrderbookApi.triggers`: the subaccount's waiting triggers, oldest first.
	pub fn waiting_triggers(owner: T::AccountId, number: SubaccountNumber) -> Vec<TriggerOf<T>> {
		AccountTriggers::<T>::get(&owner)
			.into_iter()
			.filter_map(Triggers::<T>::get)
			.filter(|trigger| trigger.owner.number == number)
			.collect()
	}

	/// The triggers' invariants: each trigger is in its market's queue for its direction and
	/// its account's list, and nothing else is in either; queues are in firing order, within
	/// their bound and listed in `TriggerMarkets`; pairs point at each other; every trigger
	/// carries a deposit, added to `margins` (what the margin engine must hold aside).
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub(crate) fn triggers_try_state(
		margins: &mut alloc::collections::BTreeMap<SubaccountOf<T>, Balance>,
	) -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::BTreeSet;
		let mut queued = BTreeSet::<TriggerId>::new();
		let markets = TriggerMarkets::<T>::get();
		let distinct: BTreeSet<_> = markets.iter().collect();
		ensure!(distinct.len() == markets.len(), "a market listed twice for triggers");
		for (market, crossing, queue) in TriggerQueues::<T>::iter() {
			ensure!(!queue.is_empty(), "an empty trigger queue is stored");
			ensure!(markets.contains(&market), "a market with triggers is not listed");
			let ordered = queue.windows(2).all(|pair| match pair {
				[(a, first), (b, second)] => crossing.sooner(*a, *b) && (a != b || first < second),
				_ => true,
			});
			ensure!(ordered, "a trigger queue out of firing order");
			for (price, id) in queue.iter() {
				let trigger = Triggers::<T>::get(id).ok_or("a queued trigger is missing")?;
				ensure!(trigger.market == market, "a trigger queued under another market");
				ensure!(trigger.kind.crossing(trigger.side) == crossing, "a trigger queued the wrong way");
				ensure!(trigger.trigger_price == *price, "a trigger queued at another price");
				ensure!(queued.insert(*id), "a trigger queued twice");
			}
		}
		for market in markets.iter() {
			ensure!(
				TriggerQueues::<T>::contains_key(market, Crossing::Rises) ||
					TriggerQueues::<T>::contains_key(market, Crossing::Falls),
				"a market listed without triggers"
			);
		}
		let mut listed = BTreeSet::<TriggerId>::new();
		for (who, ids) in AccountTriggers::<T>::iter() {
			ensure!(!ids.is_empty(), "an empty trigger list is stored");
			for id in ids.iter() {
				let trigger = Triggers::<T>::get(id).ok_or("an account lists a missing trigger")?;
				ensure!(trigger.owner.owner == who, "an account lists another's trigger");
				ensure!(listed.insert(*id), "a trigger listed twice");
			}
		}
		let mut stored = BTreeSet::<TriggerId>::new();
		for (id, trigger) in Triggers::<T>::iter() {
			ensure!(trigger.id == id, "a trigger stored under another id");
			ensure!(trigger.deposit > 0, "a trigger without a deposit");
			ensure!(trigger.size.is_some() || trigger.reduce_only, "a whole-position trigger that is not reduce-only");
			if let Some(pair) = trigger.pair {
				let other = Triggers::<T>::get(pair).ok_or("a trigger paired with a missing one")?;
				ensure!(other.pair == Some(id), "a pair that does not point back");
				ensure!(
					other.owner == trigger.owner && other.market == trigger.market && other.side == trigger.side,
					"a pair across subaccounts, markets or sides"
				);
			}
			let held = margins.entry(trigger.owner.clone()).or_default();
			*held = held.saturating_add(trigger.deposit);
			stored.insert(id);
		}
		ensure!(stored == queued, "triggers and queue entries differ");
		ensure!(stored == listed, "triggers and account lists differ");
		Ok(())
	}
}
