//! Placing an order, in phases, each a function with one job: validate (the market admits
//! it, price and size on the grid, the id) → match (fill against the best makers, or take
//! off the book the makers that may not fill) → pay the insurance fund its share of the fees
//! → rest or cancel what is left. `do_place_order` runs them in that order.

use crate::{
	book::{crosses, opposite},
	pallet::*,
	fees, CancelReason, ClientOrderId, FeeTier, Order, OrderId, OrderKind,
};
use clearing_primitives::{
	collateral::CollateralLedger,
	insurance::InsuranceFund,
	margin::{Fill, FillParty, MarginEngine, MarketRules, MarketStatus, Side},
	notional, Balance, MarketId, Price,
};
use frame_support::{ensure, storage::with_storage_layer, traits::Get, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{ArithmeticError, DispatchError, DispatchResult, Rounding};

/// Who places an order: a trader (held to the market's status) or a liquidation's close
/// (matched in every status but `Halted`), each with the most fills it may make (never above
/// `MaxFills`; a batch's orders share one `MaxFills`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlacedBy {
	Trader { max_fills: u32 },
	Liquidation { max_fills: u32 },
}

impl PlacedBy {
	/// A trader's single order: up to `MaxFills` fills.
	pub(crate) fn trader<T: Config>() -> Self {
		PlacedBy::Trader { max_fills: T::MaxFills::get() }
	}
}

/// What one order matched. Liquidation's close reads all of it: `size` and `notional` for
/// what it closed and the penalty, `fills` against its fill budget, `fill_bound_reached` to
/// tell a close cut short from a book that ran dry, and the weight (`matched_weight`).
#[derive(Default)]
pub(crate) struct Matched {
	/// The order's id (`None` for a close in a halted market, which is not placed).
	pub id: Option<OrderId>,
	/// Fills made (including resting orders skipped as self-trades or refusals).
	pub fills: u32,
	/// Base units traded.
	pub size: Balance,
	/// Their notional at the makers' prices, settlement units.
	pub notional: Balance,
	/// What the margin engine reported for the fills it applied (its worst case for those
	/// it refused) and for the rest's margin check, plus an eviction the rest made.
	pub margin_weight: Weight,
	/// Matching stopped at the fill bound while the book still crossed the order's price.
	pub fill_bound_reached: bool,
}

/// An order as asked for, before any check.
pub(crate) struct Request<T: Config> {
	pub owner: SubaccountOf<T>,
	pub market: MarketId,
	pub side: Side,
	pub price: Price,
	pub size: Balance,
	pub kind: OrderKind,
	pub reduce_only: bool,
	pub by: PlacedBy,
	/// The trader's own id for the order, if it gave one.
	pub client_id: Option<ClientOrderId>,
}

/// An order that passed validation and has its id: what matching and resting need.
struct Incoming<T: Config> {
	asked: Request<T>,
	id: OrderId,
	/// The market's rules, read once.
	rules: MarketRules,
	/// The most fills this order may make.
	max_fills: u32,
	/// What it may fill: its size, or for a reduce-only order the position it reduces.
	wanted: Balance,
}

/// What a fill's fees depend on beyond the market, read at an order's first fill: today's
/// volume day, the tier table and the taker's tier.
struct FeeContext {
	today: u32,
	tiers: alloc::vec::Vec<FeeTier>,
	taker_tier: Option<FeeTier>,
}

/// Where matching stopped.
#[derive(Default)]
struct Matching {
	/// Read at the first fill.
	fee_context: Option<FeeContext>,
	/// Steps taken: fills made and makers taken off the book.
	fills: u32,
	/// What is left of `wanted`.
	remaining: Balance,
	/// What the margin engine reported.
	margin_weight: Weight,
	/// Fees both sides paid.
	fees: Balance,
	/// Notional traded at the makers' prices.
	notional: Balance,
}

impl<T: Config> Pallet<T> {
	/// Places and matches an order; returns what it matched. A trader's order must be one
	/// the market's status admits; a liquidation's close goes through in every status but
	/// `Halted`, where it matches nothing.
	pub(crate) fn do_place_order(asked: Request<T>) -> Result<Matched, DispatchError> {
		Self::place_counted(asked, &mut 0)
	}

	/// `do_place_order`, counting in `steps` the matching steps it took even when it fails
	/// (a batch charges a failed order for the fills it tried, and spends its fill budget).
	pub(crate) fn place_counted(asked: Request<T>, steps: &mut u32) -> Result<Matched, DispatchError> {
		let Some(order) = Self::validate(asked)? else { return Ok(Matched::default()) };
		let matching = Self::match_order(&order, steps)?;
		// The taker's volume, once for all its fills.
		if let Some(context) = &matching.fee_context {
			Self::record_volume(&order.asked.owner.owner, context.today, matching.notional);
		}
		Self::pay_fee_share(matching.fees)?;
		Self::rest_or_cancel(order, matching)
	}

	/// Checks `asked` against its market and gives it an id (`OrderPlaced`); `None` for a
	/// liquidation's close in a halted market, which matches nothing.
	fn validate(asked: Request<T>) -> Result<Option<Incoming<T>>, DispatchError> {
		let rules = T::Margin::market_rules(asked.market).ok_or(Error::<T>::MarketNotFound)?;
		let max_fills = match asked.by {
			PlacedBy::Trader { max_fills } => {
				Self::ensure_admitted(rules.status, asked.kind, asked.reduce_only)?;
				max_fills.min(T::MaxFills::get())
			},
			PlacedBy::Liquidation { .. } if rules.status == MarketStatus::Halted => return Ok(None),
			PlacedBy::Liquidation { max_fills } => max_fills.min(T::MaxFills::get()),
		};
		ensure!(rules.on_tick(asked.price), Error::<T>::PriceOffTick);
		ensure!(rules.on_step(asked.size), Error::<T>::SizeOffStep);
		// A liquidation's close is bounded by its own, tighter limit instead.
		let by_trader = matches!(asked.by, PlacedBy::Trader { .. });
		ensure!(!by_trader || rules.in_band(asked.price), Error::<T>::PriceOutsideBand);
		if asked.kind == OrderKind::PostOnly {
			if let Some(best) = Self::best_price(asked.market, opposite(asked.side)) {
				ensure!(!crosses(asked.side, asked.price, best), Error::<T>::WouldCross);
			}
		}
		if let Some(good_til) = asked.kind.good_til() {
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(BlockNumberFor::<T>::from(good_til) >= now, Error::<T>::Expired);
		}
		if let Some(client_id) = asked.client_id {
			ensure!(
				!ClientOrders::<T>::contains_key(&asked.owner, client_id),
				Error::<T>::ClientIdInUse
			);
		}
		let mut wanted = asked.size;
		if asked.reduce_only {
			wanted = Self::reducible(&asked.owner, asked.market, asked.side, asked.size);
			ensure!(wanted > 0, Error::<T>::NothingToReduce);
		}

		let id = NextOrderId::<T>::get();
		NextOrderId::<T>::put(id.saturating_add(1));
		Self::deposit_event(Event::OrderPlaced {
			id,
			owner: asked.owner.clone(),
			market: asked.market,
			side: asked.side,
			price: asked.price,
			size: asked.size,
			kind: asked.kind,
			client_id: asked.client_id,
		});
		Ok(Some(Incoming { asked, id, rules, max_fills, wanted }))
	}

	/// Matches `order` against the best makers while it has size left, its fill bound allows
	/// and the book crosses its price; `steps` follows the steps taken.
	fn match_order(order: &Incoming<T>, steps: &mut u32) -> Result<Matching, DispatchError> {
		let Request { market, side, price, .. } = order.asked;
		let against = opposite(side);
		let mut matching = Matching { remaining: order.wanted, ..Matching::default() };
		while matching.remaining > 0 && matching.fills < order.max_fills {
			let Some(best) = Self::best_price(market, against) else { break };
			if !crosses(side, price, best) {
				break;
			}
			let Some(maker) = Self::first_order_at(market, against, best) else { break };
			matching.fills = matching.fills.saturating_add(1);
			*steps = matching.fills;
			Self::fill_against(order, &maker, &mut matching)?;
		}
		Ok(matching)
	}

	/// Fills `order` against `maker` as far as both allow, or takes `maker` off the book if
	/// it may not fill: the taker's own order, a price the index has left behind, a
	/// reduce-only order with nothing left to reduce, a side the margin engine refuses.
	fn fill_against(order: &Incoming<T>, maker: &OrderOf<T>, matching: &mut Matching) -> DispatchResult {
		let Request { ref owner, market, side, by, .. } = order.asked;
		let rules = &order.rules;
		if maker.owner.owner == owner.owner {
			return Self::remove_order(maker, CancelReason::SelfTrade);
		}
		// A resting price the index has left behind is never filled.
		if !rules.in_band(maker.price) {
			return Self::remove_order(maker, CancelReason::OutsideBand);
		}
		// Nor a good-til-block order past its block, nor one its owner's dead-man's switch
		// has cancelled, whether or not the block-start hook has reached them yet.
		if Self::expired(maker) {
			return Self::remove_order(maker, CancelReason::ExpiredAtBlock);
		}
		if Self::past_deadline(maker) {
			return Self::remove_order(maker, CancelReason::DeadlineReached);
		}
		let mut fill_size = matching.remaining.min(maker.remaining);
		if maker.reduce_only {
			fill_size = Self::reducible(&maker.owner, market, opposite(side), fill_size);
			if fill_size == 0 {
				return Self::remove_order(maker, CancelReason::ReduceOnly);
			}
		}
		let fill = Fill {
			market,
			taker: owner.clone(),
			maker: maker.owner.clone(),
			taker_side: side,
			price: maker.price,
			size: fill_size,
		};
		let context = match matching.fee_context.take() {
			Some(context) => context,
			None => {
				let today = Self::volume_day();
				let tiers = FeeTiers::<T>::get().into_inner();
				let taker_tier = Self::tier_of(&owner.owner, &tiers, today);
				FeeContext { today, tiers, taker_tier }
			},
		};
		let maker_tier = Self::tier_of(&maker.owner.owner, &context.tiers, context.today);
		let (taker_rate, maker_rate, rebate_rate) = fees::rates(rules, context.taker_tier, maker_tier);
		let today = context.today;
		matching.fee_context = Some(context);
		let taker_fee = Self::fee(rules, taker_rate, fill_size, maker.price)?;
		let maker_fee = Self::fee(rules, maker_rate, fill_size, maker.price)?;
		let value = notional(fill_size, rules.base_decimals, maker.price, Rounding::Down)
			.map_err(|_| ArithmeticError::Overflow)?;
		// Out of the taker's fee, at most half of it: no fill mints value, and trading with
		// oneself for volume always costs. None on a liquidation's close, whose fee may be
		// bad debt the insurance fund ends up paying.
		let maker_rebate = match by {
			PlacedBy::Trader { .. } => fees::rebate(rebate_rate, value, taker_fee),
			PlacedBy::Liquidation { .. } => 0,
		};
		// The fees are paid in the fill's own layer, so the margin engine checks each side
		// with them paid, and a refused fill leaves no fee behind. The maker's order is
		// lowered first, so the margin it set aside for this part backs the position the
		// fill gives it instead of counting twice.
		let mut filled_maker = maker.clone();
		let applied = with_storage_layer(|| {
			Self::reduce_order(&mut filled_maker, fill_size)?;
			let fee_account = Self::fee_subaccount();
			T::Ledger::move_settlement(owner, &fee_account, taker_fee)?;
			T::Ledger::move_settlement(&maker.owner, &fee_account, maker_fee)?;
			if maker_rebate > 0 {
				T::Ledger::move_settlement(&fee_account, &maker.owner, maker_rebate)?;
			}
			match by {
				PlacedBy::Trader { .. } => T::Margin::apply_fill(&fill),
				PlacedBy::Liquidation { .. } => T::Margin::apply_close_fill(&fill),
			}
		});
		match applied {
			Ok(used) => matching.margin_weight.saturating_accrue(used),
			Err(refusal) if refusal.party == FillParty::Maker => {
				// The refused fill's check at its worst, and the maker's volume read for its tier.
				matching.margin_weight.saturating_accrue(T::Margin::apply_fill_weight());
				matching.margin_weight.saturating_accrue(T::DbWeight::get().reads(1));
				return Self::remove_order(maker, CancelReason::MarginRefused);
			},
			Err(refusal) => return Err(refusal.error),
		}
		matching.fees =
			matching.fees.saturating_add(taker_fee).saturating_add(maker_fee).saturating_sub(maker_rebate);
		matching.notional = matching.notional.saturating_add(value);
		Self::record_volume(&maker.owner.owner, today, value);
		Self::deposit_event(Event::OrderFilled {
			maker_order: maker.id,
			taker_order: order.id,
			market,
			price: maker.price,
			size: fill_size,
			taker_fee,
			maker_fee,
			maker_rebate,
		});
		matching.remaining = matching.remaining.saturating_sub(fill_size);
		Ok(())
	}

	/// Pays the insurance fund its share of `fees` from the fee subaccount.
	fn pay_fee_share(fees: Balance) -> DispatchResult {
		let share = T::InsuranceShare::get().mul_floor(fees);
		if share > 0 {
			T::Insurance::receive_revenue(&Self::fee_subaccount(), share)?;
		}
		Ok(())
	}

	/// What is left of `order` after `matching`: an immediate-or-cancel order's rest is
	/// cancelled, a limit order's too if the fill bound stopped it while the book still
	/// crosses it (resting would cross the book); otherwise it rests.
	fn rest_or_cancel(order: Incoming<T>, matching: Matching) -> Result<Matched, DispatchError> {
		let Incoming { asked, id, max_fills, wanted, .. } = order;
		let remaining = matching.remaining;
		let fill_bound_reached = remaining > 0 &&
			matching.fills >= max_fills &&
			Self::best_price(asked.market, opposite(asked.side))
				.is_some_and(|best| crosses(asked.side, asked.price, best));
		let mut matched = Matched {
			id: Some(id),
			fills: matching.fills,
			size: wanted.saturating_sub(remaining),
			notional: matching.notional,
			margin_weight: matching.margin_weight,
			fill_bound_reached,
		};
		if remaining == 0 {
			return Ok(matched);
		}
		match asked.kind {
			OrderKind::ImmediateOrCancel => Self::deposit_event(Event::OrderCancelled {
				id,
				remaining,
				reason: CancelReason::Expired,
			}),
			// The whole call (or batch entry) fails, so its fills are undone.
			OrderKind::FillOrKill => return Err(Error::<T>::WouldNotFill.into()),
			// Resting it would cross the book.
			OrderKind::Limit | OrderKind::GoodTilBlock(_) if fill_bound_reached => {
				Self::deposit_event(Event::OrderCancelled { id, remaining, reason: CancelReason::FillLimit })
			},
			OrderKind::Limit | OrderKind::PostOnly | OrderKind::GoodTilBlock(_) => {
				let mut resting = Order {
					id,
					owner: asked.owner,
					market: asked.market,
					side: asked.side,
					price: asked.price,
					remaining,
					reduce_only: asked.reduce_only,
					placed_at: frame_system::Pallet::<T>::block_number(),
					deposit: T::OrderDeposit::get(),
					margin: 0,
					good_til: asked.kind.good_til().map(BlockNumberFor::<T>::from),
					client_id: asked.client_id,
				};
				let resting_weight = Self::rest_order(&mut resting)?;
				matched.margin_weight.saturating_accrue(resting_weight);
				Self::deposit_event(Event::OrderRested { id, remaining });
			},
		}
		Ok(matched)
	}
}
