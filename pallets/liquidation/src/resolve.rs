//! The order of resolution: the book, then the backstop, then deleveraging; penalty and
//! bad debt.

use crate::{math, pallet::*, weights::WeightInfo};
use alloc::vec::Vec;
use clearing_primitives::{
	collateral::{CollateralLedger, Valuation},
	insurance::InsuranceFund,
	margin::{Closed, LiquidationBook, Side},
	positions::{ForcedTransfer, Health, MarginAccounts, MarketTerms, Position},
	units::position_value,
	Balance, MarketId, Price, SignedBalance,
};
use frame_support::{dispatch::DispatchErrorWithPostInfo, ensure, traits::Get, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::{Saturating, UniqueSaturatedInto}, ArithmeticError, DispatchError, DispatchResult, FixedU128, Permill};

type Margin<T> = <T as Config>::Margin;
type Ledger<T> = <T as Config>::Ledger;

/// What one market's close in the book did.
#[derive(Default)]
struct BookClose {
	/// Base units the close asked the book for.
	asked: Balance,
	/// Base units closed.
	closed: Balance,
	/// The block's notional cap left less than the close wanted.
	capped: bool,
	/// The close stopped at its fill bound while the book still offered more.
	fill_bound_reached: bool,
	/// The close could make its whole `MaxCloseFills` (no shared budget or cap cut it).
	full_budget: bool,
	/// What the book used.
	weight: Weight,
}

/// A position and what it is worth at the mark: `value`, and `cash`, the bankruptcy cash
/// for all of it (what moving it leaves the subaccount at exactly zero equity for).
struct Terms {
	position: Position,
	mark: Price,
	value: SignedBalance,
	cash: SignedBalance,
}

/// What moving one market's position out of a subaccount did.
struct TakenOver {
	/// The weight of reading the backstop's loss (zero if this call had read it already).
	loss_read: Weight,
	/// The position went the bankrupt way: its loss covered by the fund, or deleveraged.
	bankrupt: bool,
}

/// What one liquidation worked through, for its weight.
pub(crate) struct Worked {
	/// Positions the subaccount held when it began (every health read walks them).
	pub positions: u32,
	/// What its book closes reported (the fills they made), and reading the backstop's
	/// loss if a bankruptcy asked for it.
	pub book_weight: Weight,
	/// Whether it moved money beyond a takeover at the mark: a penalty paid on a close, a
	/// loss the fund covered, deleveraging, a debt settled. Without any, a batch entry is
	/// charged the cheaper benchmark of a solvent takeover.
	pub paid_out: bool,
}

/// The loss the backstop carries at the mark, read once per call when a bankruptcy first
/// asks whether the fund can cover it (the fund answers for that loss too). A covered
/// takeover leaves the backstop's equity where it was, so one reading serves the call.
#[derive(Default)]
pub(crate) struct BackstopLoss(Option<Balance>);

impl BackstopLoss {
	/// The loss, reading it on first use; also the weight that reading cost (zero after).
	fn get<T: Config>(&mut self) -> (Balance, Weight) {
		if let Some(loss) = self.0 {
			return (loss, Weight::zero());
		}
		// An unreadable backstop counts as a loss the fund cannot carry: deleveraging, not
		// more risk on a fund whose value is unknown.
		let loss = Margin::<T>::health(&Pallet::<T>::backstop(), Valuation::Maintenance)
			.map_or(Balance::MAX, |health| health.equity.min(0).unsigned_abs());
		self.0 = Some(loss);
		(loss, Pallet::<T>::backstop_loss_weight())
	}
}

impl<T: Config> Pallet<T> {
	/// One subaccount's liquidation, by a signed caller (`signed_caller`: it earns the
	/// keeper's share) or the chain's keeper (`None`; only it names `counterparties`), charged
	/// for what it worked through.
	pub(crate) fn liquidate_one(
		subaccount: &SubaccountOf<T>,
		signed_caller: Option<T::AccountId>,
		counterparties: &CounterpartiesOf<T>,
	) -> frame_support::dispatch::DispatchResultWithPostInfo {
		// One subaccount: every close may make its `MaxCloseFills`.
		let mut fills_left = T::MaxCloseFills::get().saturating_mul(T::MaxMarketsPerCall::get());
		let done = Self::do_liquidate(
			subaccount,
			signed_caller,
			counterparties,
			&mut fills_left,
			&mut BackstopLoss::default(),
		)?;
		Ok(Some(
			Self::own_weight(done.positions, counterparties.len() as u32)
				.saturating_add(done.book_weight),
		)
		.into())
	}

	/// Liquidates `subaccount`; returns what it worked through (the pallet's own work is
	/// `WeightInfo::liquidate` at those positions, the book's is reported by the closes). A
	/// refusal before any work (not liquidatable, prices not ready, the block's cap) is
	/// charged only the check, so a keeper that came
	/// second to a subaccount does not cost a block a whole liquidation's weight.
	///
	/// `fills_left`: how many more fills this call's closes may make (each close at most
	/// `MaxCloseFills`); once none is left a close only looks, and a solvent subaccount it
	/// would have closed waits, as if cut short. `backstop_loss`: shared by a call's entries.
	pub(crate) fn do_liquidate(
		subaccount: &SubaccountOf<T>,
		signed_caller: Option<T::AccountId>,
		counterparties: &CounterpartiesOf<T>,
		fills_left: &mut u32,
		backstop_loss: &mut BackstopLoss,
	) -> Result<Worked, DispatchErrorWithPostInfo> {
		let positions = Margin::<T>::position_count(subaccount);
		let refused = |error: DispatchError| DispatchErrorWithPostInfo {
			post_info: Some(T::WeightInfo::authorize_liquidate(positions)).into(),
			error,
		};
		let mut health = Self::ensure_liquidatable(subaccount).map_err(refused)?;
		let now = frame_system::Pallet::<T>::block_number();
		let (block, used) = ClosedThisBlock::<T>::get();
		let mut cap_left = T::BlockNotionalCap::get().saturating_sub(if block == now { used } else { 0 });
		// A solvent subaccount waits for room in the book; a bankrupt one only gets worse.
		if cap_left == 0 && health.equity >= 0 {
			return Err(refused(Error::<T>::LiquidationCapReached.into()));
		}

		// A live series whose volatility is not ready waits, and takes none of the call's
		// `MaxMarketsPerCall`: it never stands between the other markets and their close.
		let mut waiting: u32 = 0;
		let mut ready = Vec::new();
		for held in Margin::<T>::positions_by_value(subaccount)? {
			let config = Margin::<T>::market_terms(held.market).ok_or(Error::<T>::PriceNotReady)?;
			if Self::volatility_ready(&config) {
				ready.push((held, config));
			} else {
				waiting = waiting.saturating_add(1);
			}
		}
		let mut markets: u32 = 0;
		let mut flat = false;
		let mut paid_out = false;
		let mut book_weight = Weight::zero();
		for (held, config) in ready.into_iter().take(T::MaxMarketsPerCall::get() as usize) {
			let market = held.market;
			if !health.liquidatable {
				break;
			}
			markets = markets.saturating_add(1);
			let close = Self::close_in_book(
				subaccount,
				market,
				&config,
				held.maintenance,
				&health,
				&mut cap_left,
				&signed_caller,
				fills_left,
			)?;
			book_weight.saturating_accrue(close.weight);
			paid_out |= close.closed > 0;
			// Health moves only if the book closed something.
			if close.closed > 0 {
				health = Margin::<T>::health(subaccount, Valuation::Maintenance)?;
			}
			let left = Margin::<T>::position(subaccount, market).map(|p| p.size).unwrap_or_default();
			if !health.liquidatable || left == 0 {
				continue;
			}
			// The block's cap or the call's fill bound stopped a solvent subaccount while the
			// book had more: the rest waits for a later call, not the backstop. Unless its
			// closes have made too little progress for `MaxStallBlocks` (makers that cancel
			// instead of filling, or fill a step at a time): then the backstop takes it.
			if (close.capped || close.fill_bound_reached) && health.equity >= 0 {
				// Only a close that had all its `MaxCloseFills` to spend counts toward a stall:
				// one a batch's shared fill budget or the block's cap cut short merely waits.
				let stalled = close.fill_bound_reached &&
					close.full_budget && Self::stalled(subaccount, close.closed, close.asked, now);
				if !stalled {
					break;
				}
			}
			let TakenOver { loss_read, bankrupt } =
				Self::take_over(subaccount, market, &config, &health, counterparties, backstop_loss)?;
			book_weight.saturating_accrue(loss_read);
			paid_out |= bankrupt;
			if Margin::<T>::position_count(subaccount) == 0 {
				// Flat: all that is left to judge is a debt, and settling it below decides.
				flat = true;
				break;
			}
			health = Margin::<T>::health(subaccount, Valuation::Maintenance)?;
		}
		// Nothing could be touched: every market left waits for its volatility.
		if markets == 0 && waiting > 0 {
			return Err(refused(Error::<T>::PriceNotReady.into()));
		}
		if flat || !health.liquidatable {
			Stalled::<T>::remove(subaccount);
		}
		ClosedThisBlock::<T>::put((now, T::BlockNotionalCap::get().saturating_sub(cap_left)));
		// Covering bad debt can only make the subaccount healthier than the last reading; a
		// flat subaccount without a debt to settle is healthy.
		let settled = Self::settle_bad_debt(subaccount)?;
		let healthy = if settled {
			!Margin::<T>::health(subaccount, Valuation::Maintenance)?.liquidatable
		} else {
			flat || !health.liquidatable
		};
		Self::deposit_event(Event::Liquidated { subaccount: subaccount.clone(), markets, healthy });
		Ok(Worked { positions, book_weight, paid_out: paid_out || settled })
	}

	/// Whether `subaccount`'s closes, cut short by their fill bound, have made too little
	/// progress for `MaxStallBlocks` blocks (`closed` of `asked` this time). Progress is at
	/// least a `MaxStallBlocks`-th of what the close asked, so a close that keeps that pace
	/// finishes within the bound, and one fed a step at a time (its owner's own bids, say)
	/// goes to the backstop. Whoever fills it slowly, the backstop takes a solvent
	/// subaccount at the mark less the penalty: no worse for it than the book. Progress
	/// clears the record; a record older than the bound (the subaccount recovered
	/// meanwhile) starts over.
	fn stalled(subaccount: &SubaccountOf<T>, closed: Balance, asked: Balance, now: BlockNumberFor<T>) -> bool {
		let pace: Balance = T::MaxStallBlocks::get().unique_saturated_into();
		let pace = pace.max(1);
		if closed > 0 && closed.saturating_mul(pace) >= asked {
			Stalled::<T>::remove(subaccount);
			return false;
		}
		// Attempts a block or two apart (the keeper tries every block) are one stall; a longer
		// gap starts a new one.
		let gap: BlockNumberFor<T> = 2u32.into();
		let since = match Stalled::<T>::get(subaccount) {
			Some((since, last)) if now.saturating_sub(last) <= gap => since,
			_ => now,
		};
		Stalled::<T>::insert(subaccount, (since, now));
		now.saturating_sub(since) >= T::MaxStallBlocks::get()
	}

	/// Closes what restores maintenance in the book (the position carrying `maintenance`),
	/// within the price bound, the block's cap and `MaxCloseFills` (at most `fills_left`, which
	/// it lowers by the fills it makes), and charges the penalty.
	#[allow(clippy::too_many_arguments)]
	fn close_in_book(
		subaccount: &SubaccountOf<T>,
		market: MarketId,
		config: &MarketTerms,
		maintenance: Balance,
		health: &Health,
		cap_left: &mut Balance,
		signed_caller: &Option<T::AccountId>,
		fills_left: &mut u32,
	) -> Result<BookClose, DispatchError> {
		let Some(Terms { position, mark, cash, .. }) = Self::bankruptcy_terms(subaccount, market, config, health)?
		else {
			return Ok(BookClose::default());
		};
		let decimals = config.base_decimals;
		let held = position.size.unsigned_abs();
		let deficit = SignedBalance::try_from(health.maintenance_requirement)
			.map_err(|_| ArithmeticError::Overflow)?
			.saturating_sub(health.equity)
			.max(0)
			.unsigned_abs();
		let step_notional =
			clearing_primitives::notional(config.step_size, decimals, mark, sp_runtime::Rounding::Up)
				.map_err(|_| ArithmeticError::Overflow)?
				.max(1);
		let selling = position.size > 0;
		// Buying back a series' short goes within its vega × the shift, where wider than the
		// slippage. Selling a long frees no maintenance: it keeps the slippage.
		let band = if selling {
			T::MaxSlippage::get()
		} else {
			math::close_band(mark, Margin::<T>::vega(config), T::OptionVolatilityShift::get(), T::MaxSlippage::get())
		};
		let penalty = PenaltyRate::<T>::get();
		// A fill the band away pays the penalty on that notional too.
		let cost = band.saturating_add(penalty.saturating_mul(band));
		let wanted = math::close_size(deficit, held, config.step_size, maintenance, step_notional, penalty, cost)
		.map_err(DispatchError::from)?;
		// The cap, in whole steps at the mark.
		let allowed = cap_left.checked_div(step_notional).unwrap_or_default().saturating_mul(config.step_size);
		let size = wanted.min(allowed);
		let capped = size < wanted;
		if size == 0 {
			return Ok(BookClose { capped, ..BookClose::default() });
		}
		let bankruptcy = math::bankruptcy_price(cash, position.size, decimals);
		// Bankrupt beyond any price a buy-back could pay: nothing closes in the book (it would
		// only deepen the fund's loss); the backstop takes it at the bankruptcy price.
		if bankruptcy.is_none() && health.equity < 0 {
			return Ok(BookClose::default());
		}
		let limit = math::limit_price(selling, mark, bankruptcy, band, config.tick_size)
			.map_err(DispatchError::from)?;
		let side = if selling { Side::Sell } else { Side::Buy };
		let max_fills = T::MaxCloseFills::get().min(*fills_left);
		let full_budget = max_fills == T::MaxCloseFills::get() && max_fills > 0 && !capped;
		let Closed { size: closed, notional, weight, fill_bound_reached, fills } =
			T::ClosingBook::close(subaccount, market, side, size, limit, max_fills)?;
		*fills_left = fills_left.saturating_sub(fills);
		let outcome = BookClose { asked: size, closed, capped, fill_bound_reached, full_budget, weight };
		if closed == 0 {
			return Ok(outcome);
		}
		*cap_left = cap_left.saturating_sub(notional);
		Self::deposit_event(Event::ClosedInBook {
			subaccount: subaccount.clone(),
			market,
			size: closed,
			notional,
		});
		Self::charge_penalty(subaccount, notional, signed_caller)?;
		Ok(outcome)
	}

	/// The penalty on `notional` closed, at most the equity left: the keeper's share to a
	/// signed caller, the rest to the insurance fund.
	fn charge_penalty(
		subaccount: &SubaccountOf<T>,
		notional: Balance,
		signed_caller: &Option<T::AccountId>,
	) -> DispatchResult {
		let equity = Margin::<T>::health(subaccount, Valuation::Maintenance)?.equity;
		let share = if signed_caller.is_some() { T::KeeperShare::get() } else { sp_runtime::Permill::zero() };
		let (to_keeper, to_fund) = math::penalty(notional, PenaltyRate::<T>::get(), equity, share);
		if let Some(caller) = signed_caller {
			Ledger::<T>::pay_out(subaccount, caller, to_keeper)?;
		}
		if to_fund > 0 {
			T::Insurance::receive_revenue(subaccount, to_fund)?;
		}
		if to_keeper > 0 || to_fund > 0 {
			Self::deposit_event(Event::PenaltyPaid {
				subaccount: subaccount.clone(),
				keeper: signed_caller.clone(),
				to_keeper,
				to_fund,
			});
		}
		Ok(())
	}

	/// `subaccount`'s position in `market` and what it is worth; `None` if it holds none.
	fn bankruptcy_terms(
		subaccount: &SubaccountOf<T>,
		market: MarketId,
		config: &MarketTerms,
		health: &Health,
	) -> Result<Option<Terms>, DispatchError> {
		let Some(position) = Margin::<T>::position(subaccount, market) else { return Ok(None) };
		let mark = Margin::<T>::mark(config).ok_or(Error::<T>::PriceNotReady)?;
		let value = position_value(position.size, config.base_decimals, mark)
			.map_err(|_| ArithmeticError::Overflow)?;
		let cash = math::bankruptcy_cash(value, health.equity).map_err(DispatchError::from)?;
		Ok(Some(Terms { position, mark, value, cash }))
	}

	/// Has the fund cover up to `amount` into `subaccount` (through the backstop's account,
	/// which holds USDC's minimum); returns what it paid.
	fn cover_into(subaccount: &SubaccountOf<T>, amount: Balance) -> Result<Balance, DispatchError> {
		let paid = T::Insurance::cover(&Self::backstop_account(), amount)?;
		Ledger::<T>::pay_in(&Self::backstop_account(), subaccount, paid)?;
		Ok(paid)
	}

	/// Moves what is left of `market` to the backstop or, past what the fund can carry, to
	/// the offered counterparties (best ranked first). A solvent subaccount is taken over at
	/// the mark less the penalty (at most its equity), a bankrupt one at the bankruptcy price
	/// with its loss covered by the fund — while the fund's value (its balance less the loss
	/// the backstop already carries) covers it. Returns the weight of reading that loss, and
	/// whether the position went the bankrupt way (covered or deleveraged).
	fn take_over(
		subaccount: &SubaccountOf<T>,
		market: MarketId,
		config: &MarketTerms,
		health: &Health,
		counterparties: &CounterpartiesOf<T>,
		backstop_loss: &mut BackstopLoss,
	) -> Result<TakenOver, DispatchError> {
		let Some(Terms { position, value, cash, .. }) = Self::bankruptcy_terms(subaccount, market, config, health)?
		else {
			return Ok(TakenOver { loss_read: Weight::zero(), bankrupt: false });
		};
		let size = position.size.unsigned_abs();
		let backstop = Self::backstop();
		if health.equity >= 0 {
			// The penalty as a discount on the price: the backstop keeps it against what
			// unwinding the position into the book will cost.
			let (_, penalty) =
				math::penalty(value.unsigned_abs(), PenaltyRate::<T>::get(), health.equity, Permill::zero());
			let cash = math::discounted_cash(value, penalty).map_err(DispatchError::from)?;
			Self::to_backstop(subaccount, market, size, cash, penalty, 0)?;
			return Ok(TakenOver { loss_read: Weight::zero(), bankrupt: false });
		}
		// Taking over at the bankruptcy price, the backstop's equity moves by the equity.
		let loss = health.equity.unsigned_abs();
		let (carried, read) = backstop_loss.get::<T>();
		if T::Insurance::fund_balance().saturating_sub(carried) >= loss {
			let covered = Self::cover_into(&backstop, loss)?;
			Self::to_backstop(subaccount, market, size, cash, 0, covered)?;
			return Ok(TakenOver { loss_read: read, bankrupt: true });
		}
		Self::deleverage(subaccount, market, position.size, cash, counterparties)?;
		Ok(TakenOver { loss_read: read, bankrupt: true })
	}

	/// Moves `size` of `subaccount`'s position in `market` to the backstop for `cash`, and
	/// tells it.
	fn to_backstop(
		subaccount: &SubaccountOf<T>,
		market: MarketId,
		size: Balance,
		cash: SignedBalance,
		penalty: Balance,
		loss_covered: Balance,
	) -> DispatchResult {
		Margin::<T>::force_transfer(market, subaccount, &Self::backstop(), size, cash)?;
		Self::deposit_event(Event::TakenByBackstop {
			subaccount: subaccount.clone(),
			market,
			size,
			cash,
			penalty,
			loss_covered,
		});
		Ok(())
	}

	/// Spreads `size` (signed, the subaccount's) and its bankruptcy `cash` over the
	/// counterparties holding profitable opposite positions, highest rank first.
	fn deleverage(
		subaccount: &SubaccountOf<T>,
		market: MarketId,
		size: SignedBalance,
		cash: SignedBalance,
		counterparties: &CounterpartiesOf<T>,
	) -> DispatchResult {
		let mut ranked: Vec<(FixedU128, SubaccountOf<T>, Balance)> = Vec::new();
		for counterparty in counterparties.iter() {
			ensure!(
				counterparty != subaccount && !ranked.iter().any(|(_, c, _)| c == counterparty),
				Error::<T>::InvalidCounterparty
			);
			let held = Margin::<T>::position(counterparty, market).map(|p| p.size).unwrap_or_default();
			ensure!(held != 0 && (held > 0) != (size > 0), Error::<T>::InvalidCounterparty);
			let rank = Self::rank(counterparty, market).ok_or(Error::<T>::InvalidCounterparty)?;
			ranked.push((rank, counterparty.clone(), held.unsigned_abs()));
		}
		ranked.sort_by_key(|r| core::cmp::Reverse(r.0));
		let total = size.unsigned_abs();
		let mut left = total;
		let mut cash_left = cash;
		for (_, counterparty, held) in ranked {
			if left == 0 {
				break;
			}
			let part = left.min(held);
			let part_cash = if part == left {
				cash_left
			} else {
				math::pro_rata(cash, part, total).map_err(DispatchError::from)?
			};
			Margin::<T>::force_transfer(market, subaccount, &counterparty, part, part_cash)?;
			left = left.saturating_sub(part);
			cash_left = cash_left.saturating_sub(part_cash);
			Self::deposit_event(Event::Deleveraged {
				subaccount: subaccount.clone(),
				counterparty,
				market,
				size: part,
				cash: part_cash,
			});
		}
		ensure!(left == 0, Error::<T>::InsufficientCounterparties);
		Ok(())
	}

	/// `counterparty`'s deleveraging rank in `market`: profit × leverage, `None` if not in
	/// profit or without equity.
	pub fn rank(counterparty: &SubaccountOf<T>, market: MarketId) -> Option<FixedU128> {
		let position = Margin::<T>::position(counterparty, market)?;
		let config = Margin::<T>::market_terms(market)?;
		let mark = Margin::<T>::mark(&config)?;
		let value = position_value(position.size, config.base_decimals, mark).ok()?;
		let equity = Margin::<T>::health(counterparty, Valuation::Maintenance).ok()?.equity;
		math::deleverage_rank(value.saturating_sub(position.cost_basis), value, equity)
	}

	/// A subaccount left with no position whose collateral no longer covers its settlement
	/// debt (at haircut value, last prices) is settled: the backstop seizes what collateral it
	/// has left, and the debt is paid by the fund as far as it reaches, the rest by the
	/// backstop. Returns whether there was a debt to settle.
	fn settle_bad_debt(subaccount: &SubaccountOf<T>) -> Result<bool, DispatchError> {
		if Margin::<T>::position_count(subaccount) > 0 {
			return Ok(false);
		}
		let value = Ledger::<T>::collateral_value(subaccount, Valuation::Maintenance)?;
		if value >= 0 {
			return Ok(false);
		}
		let backstop = Self::backstop();
		let seized = Ledger::<T>::seize_collateral(subaccount, &backstop, Valuation::Maintenance)?;
		let debt = Ledger::<T>::settlement_balance(subaccount).min(0).unsigned_abs();
		let from_fund = Self::cover_into(subaccount, debt)?;
		let from_backstop = debt.saturating_sub(from_fund);
		Ledger::<T>::move_settlement(&backstop, subaccount, from_backstop)?;
		Self::deposit_event(Event::BadDebtCovered {
			subaccount: subaccount.clone(),
			seized,
			from_fund,
			from_backstop,
		});
		Ok(true)
	}

	/// The invariants a liquidation must keep are the margin engine's (Σ long = Σ short =
	/// open interest, counts), the vaults' and the fund's (each pallet's own `try_state`);
	/// this pallet stores only the block's closed notional, the stalls and the penalty.
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let now = frame_system::Pallet::<T>::block_number();
		let (block, _) = ClosedThisBlock::<T>::get();
		ensure!(block <= now, "the closed notional is recorded for a future block");
		for (_, (since, last)) in Stalled::<T>::iter() {
			ensure!(since <= last && last <= now, "a stall recorded out of order");
		}
		ensure!(PenaltyRate::<T>::get() <= T::MaxPenaltyRate::get(), "the penalty is above its bound");
		Ok(())
	}
}
