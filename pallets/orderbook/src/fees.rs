//! Fee tiers by 30-day traded volume: each account's volume in daily buckets, the governed
//! tier table, and the rates a fill charges. A maker's rebate is paid out of the same fill's
//! taker fee, never more than half of it, so no fill mints value and volume is never free.

use crate::{pallet::*, FeeTier, VolumeWindow, VOLUME_DAYS};
use clearing_primitives::{margin::MarketRules, Balance};
use frame_support::{ensure, traits::Get};
use sp_runtime::{
	traits::{CheckedDiv, UniqueSaturatedInto},
	DispatchResult, Permill,
};

/// The highest fee a tier may charge, taker or maker: 1%.
pub const MAX_TIER_FEE: Permill = Permill::from_percent(1);

/// A window's buckets as of `today`: days that fell out of the 30 are emptied.
pub fn rolled(window: &VolumeWindow, today: u32) -> VolumeWindow {
	let mut rolled = window.clone();
	if today == window.day {
		return rolled;
	}
	// A day before the last recorded (the day's length changed in an upgrade): start afresh
	// rather than count old buckets as recent.
	if today < window.day {
		return VolumeWindow { day: today, ..Default::default() };
	}
	let gone = today.saturating_sub(window.day).min(VOLUME_DAYS);
	// The days after the last one recorded, up to today, start empty.
	for step in 1..=gone {
		let day = window.day.saturating_add(step);
		if let Some(bucket) = rolled.days.get_mut((day % VOLUME_DAYS) as usize) {
			*bucket = 0;
		}
	}
	rolled.day = today;
	rolled
}

/// Volume over the 30 days ending `today` (settlement units).
pub fn volume(window: &VolumeWindow, today: u32) -> Balance {
	rolled(window, today).days.iter().fold(0u128, |sum, day| sum.saturating_add(u128::from(*day)))
}

/// `window` with `notional` traded today.
pub fn recorded(window: &VolumeWindow, today: u32, notional: Balance) -> VolumeWindow {
	let mut window = rolled(window, today);
	if let Some(bucket) = window.days.get_mut((today % VOLUME_DAYS) as usize) {
		let add: u64 = notional.min(u128::from(u64::MAX)).unique_saturated_into();
		*bucket = bucket.saturating_add(add);
	}
	window
}

/// The tier `volume` reaches: the last whose threshold it meets (the table rises).
pub fn tier_for(tiers: &[FeeTier], volume: Balance) -> Option<FeeTier> {
	tiers.iter().rev().find(|tier| volume >= tier.min_volume).copied()
}

/// The rates a fill charges: the tier's, never above the market's own; no tier, the
/// market's. Returns (taker fee, maker fee, maker rebate).
pub fn rates(rules: &MarketRules, taker: Option<FeeTier>, maker: Option<FeeTier>) -> (Permill, Permill, Permill) {
	let taker_fee = taker.map_or(rules.taker_fee, |tier| tier.taker_fee.min(rules.taker_fee));
	let (maker_fee, rebate) = maker.map_or((rules.maker_fee, Permill::zero()), |tier| {
		(tier.maker_fee.min(rules.maker_fee), tier.maker_rebate)
	});
	(taker_fee, maker_fee, rebate)
}

/// A rebate of `rate` on `value`, rounded down, paid out of `taker_fee` and never above half
/// of it (whatever the market's own taker fee), so a fill always leaves the protocol a fee.
pub fn rebate(rate: Permill, value: Balance, taker_fee: Balance) -> Balance {
	rate.mul_floor(value).min(taker_fee / 2)
}

/// `Ok` if `tiers` is a valid table: thresholds above zero and rising, fees within
/// `MAX_TIER_FEE`, a tier with a rebate charging no maker fee, and no rebate above half of
/// any tier's taker fee (what pays it).
pub fn valid(tiers: &[FeeTier]) -> bool {
	let least_taker_fee = tiers.iter().map(|tier| tier.taker_fee).min().unwrap_or_default();
	let most_rebate = Permill::from_parts(least_taker_fee.deconstruct() / 2);
	let rising = tiers.windows(2).all(|pair| match pair {
		[low, high] => low.min_volume < high.min_volume,
		_ => true,
	});
	rising &&
		tiers.iter().all(|tier| {
			tier.min_volume > 0 &&
				tier.taker_fee <= MAX_TIER_FEE &&
				tier.maker_fee <= MAX_TIER_FEE &&
				(tier.maker_rebate.is_zero() || tier.maker_fee.is_zero()) &&
				tier.maker_rebate <= most_rebate
		})
}

impl<T: Config> Pallet<T> {
	/// Today, in volume days since genesis.
	pub(crate) fn volume_day() -> u32 {
		let now = frame_system::Pallet::<T>::block_number();
		let per_day = T::VolumeDayBlocks::get().max(1u32.into());
		now.checked_div(&per_day).unwrap_or_default().unique_saturated_into()
	}

	/// `account`'s volume over the last 30 days and the tier it reaches.
	pub fn account_fees(account: &T::AccountId) -> crate::AccountFees {
		let volume = volume(&TradedVolume::<T>::get(account), Self::volume_day());
		crate::AccountFees { volume, tier: tier_for(&FeeTiers::<T>::get(), volume) }
	}

	/// The tier `account` trades at today, read from its window.
	pub(crate) fn tier_of(account: &T::AccountId, tiers: &[FeeTier], today: u32) -> Option<FeeTier> {
		if tiers.is_empty() {
			return None;
		}
		tier_for(tiers, volume(&TradedVolume::<T>::get(account), today))
	}

	/// Adds `notional` to `account`'s volume today.
	pub(crate) fn record_volume(account: &T::AccountId, today: u32, notional: Balance) {
		if notional > 0 {
			TradedVolume::<T>::mutate(account, |window| *window = recorded(window, today, notional));
		}
	}

	/// Removes `account`'s volume window once none of it counts any more.
	pub(crate) fn do_forget_volume(account: &T::AccountId) -> DispatchResult {
		let window = TradedVolume::<T>::try_get(account).map_err(|_| Error::<T>::NoVolume)?;
		ensure!(volume(&window, Self::volume_day()) == 0, Error::<T>::VolumeStillCounted);
		TradedVolume::<T>::remove(account);
		Self::deposit_event(Event::VolumeForgotten { account: account.clone() });
		Ok(())
	}

	pub(crate) fn do_set_fee_tiers(tiers: frame_support::BoundedVec<FeeTier, T::MaxFeeTiers>) -> DispatchResult {
		ensure!(valid(&tiers), Error::<T>::InvalidFeeTiers);
		FeeTiers::<T>::put(&tiers);
		Self::deposit_event(Event::FeeTiersSet { tiers });
		Ok(())
	}
}
