//! The pure arithmetic of a listing schedule: which expiry of a cycle is listed next, and
//! which strikes an expiry lists around the index.

use crate::types::ExpiryCycle;
use alloc::vec::Vec;
use clearing_primitives::{oracle::Moment, Price};
use sp_runtime::traits::Zero;

/// The first expiry of `cycle` at least `lead` after `now`: the one a schedule lists now
/// (an earlier one is inside its settlement window, too late to list). `None` only past the
/// end of time.
pub fn next_expiry(now: Moment, lead: Moment, cycle: &ExpiryCycle) -> Option<Moment> {
	if cycle.period_ms == 0 {
		return None;
	}
	let earliest = now.checked_add(lead)?;
	if earliest <= cycle.offset_ms {
		return Some(cycle.offset_ms);
	}
	let since = earliest.checked_sub(cycle.offset_ms)?;
	let periods = since.checked_add(cycle.period_ms.checked_sub(1)?)?.checked_div(cycle.period_ms)?;
	periods.checked_mul(cycle.period_ms)?.checked_add(cycle.offset_ms)
}

/// `each_side` strikes `step` apart on each side of the multiple of `step` nearest `index`
/// (halves round up), and that one: ascending. Below zero the ladder is cut, not shifted, so
/// it stays centred on the index.
pub fn strikes(index: Price, step: Price, each_side: u32) -> Vec<Price> {
	let (index, step) = (index.into_inner(), step.into_inner());
	if step.is_zero() {
		return Vec::new();
	}
	let Some(centre) = index
		.checked_add(step.checked_div(2).unwrap_or(0))
		.and_then(|i| i.checked_div(step))
		.and_then(|q| q.checked_mul(step))
	else {
		return Vec::new();
	};
	let reach = u128::from(each_side).saturating_mul(step);
	(0..=each_side.saturating_mul(2))
		.filter_map(|i| {
			let strike = centre.checked_add(u128::from(i).checked_mul(step)?)?.checked_sub(reach)?;
			(strike > 0).then_some(Price::from_inner(strike))
		})
		.collect()
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;
	use sp_runtime::FixedPointNumber;

	const DAY: Moment = 86_400_000;
	const HOUR: Moment = 3_600_000;

	fn usd(v: u128) -> Price {
		Price::saturating_from_integer(v)
	}

	#[test]
	fn daily_at_eight_and_friday_weekly() {
		let daily = ExpiryCycle { period_ms: DAY, offset_ms: 8 * HOUR };
		// 2026-12-04 (a Friday) 07:00 UTC, a 30-minute window.
		let friday_7am = 20_791 * DAY + 7 * HOUR;
		assert_eq!(next_expiry(friday_7am, HOUR / 2, &daily), Some(20_791 * DAY + 8 * HOUR));
		// Inside the window the next day's is listed.
		assert_eq!(next_expiry(friday_7am + 45 * 60_000, HOUR / 2, &daily), Some(20_792 * DAY + 8 * HOUR));
		// 1970-01-01 was a Thursday: Fridays 08:00 are a day and eight hours past a week.
		let weekly = ExpiryCycle { period_ms: 7 * DAY, offset_ms: DAY + 8 * HOUR };
		assert_eq!(next_expiry(friday_7am, HOUR / 2, &weekly), Some(20_791 * DAY + 8 * HOUR));
		assert_eq!(next_expiry(friday_7am + HOUR, HOUR / 2, &weekly), Some(20_798 * DAY + 8 * HOUR));
	}

	#[test]
	fn the_ladder_centres_on_the_nearest_step() {
		assert_eq!(strikes(usd(60_400), usd(1_000), 1), vec![usd(59_000), usd(60_000), usd(61_000)]);
		assert_eq!(strikes(usd(60_500), usd(1_000), 0), vec![usd(61_000)]);
		assert_eq!(strikes(usd(1_500), usd(1_000), 2), vec![usd(1_000), usd(2_000), usd(3_000), usd(4_000)]);
		assert!(strikes(usd(60_000), Price::zero(), 2).is_empty());
		assert!(strikes(usd(100), usd(1_000), 0).is_empty());
	}

	proptest! {
		#[test]
		fn the_next_expiry_is_the_first_far_enough_on_the_grid(
			now in 0u64..(1u64 << 45),
			lead in 0u64..DAY,
			period in 60_000u64..(30 * DAY),
			offset_share in 0u64..1_000,
		) {
			let cycle = ExpiryCycle { period_ms: period, offset_ms: period * offset_share / 1_000 };
			let expiry = next_expiry(now, lead, &cycle).expect("within time");
			prop_assert!(expiry >= now + lead);
			prop_assert_eq!(expiry % period, cycle.offset_ms);
			// The one before is too close (or before the grid starts).
			prop_assert!(expiry < period || expiry - period < now + lead);
		}

		#[test]
		fn the_ladder_is_evenly_spaced_around_the_index(
			index in 1u128..10_000_000,
			step in 1u128..100_000,
			each_side in 0u32..5,
		) {
			let ladder = strikes(usd(index), usd(step), each_side);
			prop_assert!(ladder.len() <= 2 * each_side as usize + 1);
			prop_assert!(ladder.windows(2).all(|w| w[1].into_inner() - w[0].into_inner() == usd(step).into_inner()));
			prop_assert!(ladder.iter().all(|s| !s.is_zero() && s.into_inner() % usd(step).into_inner() == 0));
			// The centre is within half a step of the index, and the ladder reaches
			// `each_side` steps above it.
			let top = ladder.last().map(|s| s.into_inner()).unwrap_or(0);
			let index = usd(index).into_inner();
			let step = usd(step).into_inner();
			let centre = top - u128::from(each_side) * step;
			prop_assert!(centre.abs_diff(index) <= step / 2);
			// Cut only below zero.
			if index >= u128::from(each_side) * step + step {
				prop_assert_eq!(ladder.len(), 2 * each_side as usize + 1);
			}
		}
	}
}
