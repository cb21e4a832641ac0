//! The two paths: risk-reducing changes now, risk-increasing ones after the timelock.

use crate::{mock::*, Agenda, Error, Event, Pending, PendingChange, RiskChange};
use clearing_primitives::margin::MarketStatus;
use frame_support::{assert_noop, assert_ok};
use sp_core::H256;

#[test]
fn a_risk_reducing_change_takes_effect_at_once() {
	ExtBuilder::default().build_and_execute(|| {
		let change = RiskChange::SetMarketMargin { market: BTC_USD, initial: pct(10), maintenance: pct(6) };
		assert_ok!(propose(change.clone()));
		assert_eq!(Markets::get(BTC_USD).map(|m| (m.0, m.1)), Some((pct(10), pct(6))));
		assert_eq!(governance_events(), vec![Event::ChangeEnacted { id: None, change }]);
		assert_eq!(Pending::<Test>::count(), 0);
	});
}

#[test]
fn every_safe_move_is_fast() {
	ExtBuilder::default().build_and_execute(|| {
		for change in [
			RiskChange::SetOpenInterestCap { market: BTC_USD, max_open_interest: 600_000 },
			RiskChange::SetMarketStatus { market: BTC_USD, status: MarketStatus::ReduceOnly },
			RiskChange::SetMarketStatus { market: BTC_USD, status: MarketStatus::Halted },
			RiskChange::SetHaircut { asset: USDC, haircut: pct(5) },
			RiskChange::SetDepositCap { asset: USDC, deposit_cap: 500_000 },
			RiskChange::SetOracleLimits { min_feeders: 3, max_age_ms: 30_000, max_jump: pct(5) },
			RiskChange::RemoveFeeder { feeder: 7 },
			RiskChange::SetUnstakeCooldown { blocks: 200 },
			RiskChange::SetLiquidationPenalty { rate: pct(2) },
		] {
			assert_ok!(propose(change.clone()));
			assert!(governance_events().contains(&Event::ChangeEnacted { id: None, change }));
		}
		assert_eq!(Pending::<Test>::count(), 0);
		assert_eq!(Markets::get(BTC_USD).map(|m| (m.2, m.3)), Some((600_000, MarketStatus::Halted)));
		assert_eq!(Collateral::get(USDC), Some((pct(5), 500_000)));
		assert!(!Feeders::contains_key(7));
		assert_eq!(Cooldown::get(), Some(200));
		assert_eq!(Penalty::get(), Some(pct(2)));
	});
}

#[test]
fn a_risk_increasing_change_waits_out_the_timelock_in_view() {
	ExtBuilder::default().build_and_execute(|| {
		let change = RiskChange::SetOpenInterestCap { market: BTC_USD, max_open_interest: 2_000_000 };
		assert_ok!(propose(change.clone()));
		let enact_at = 1 + TIMELOCK;
		assert_eq!(
			Pending::<Test>::get(0),
			Some(PendingChange { change: change.clone(), scheduled_at: 1, enact_at })
		);
		assert_eq!(Agenda::<Test>::get(enact_at).into_inner(), vec![0]);
		assert!(governance_events().contains(&Event::ChangeScheduled { id: 0, change: change.clone(), enact_at }));
		run_to_block(enact_at - 1);
		assert_eq!(Markets::get(BTC_USD).map(|m| m.2), Some(1_000_000));
		run_to_block(enact_at);
		assert_eq!(Markets::get(BTC_USD).map(|m| m.2), Some(2_000_000));
		assert!(governance_events().contains(&Event::ChangeEnacted { id: Some(0), change }));
		assert_eq!(Pending::<Test>::count(), 0);
		assert!(!Agenda::<Test>::contains_key(enact_at));
	});
}

#[test]
fn every_unsafe_move_is_scheduled() {
	ExtBuilder::default().build_and_execute(|| {
		Markets::mutate(BTC_USD, |m| m.as_mut().map(|m| m.3 = MarketStatus::Halted));
		for change in [
			// Mixed: initial up, maintenance down.
			RiskChange::SetMarketMargin { market: BTC_USD, initial: pct(6), maintenance: pct(2) },
			RiskChange::SetMarketStatus { market: BTC_USD, status: MarketStatus::PostOnly },
			RiskChange::ListMarket { market: 5, listing: (pct(10), pct(5)) },
			RiskChange::SetDepositCap { asset: USDC, deposit_cap: 1_500_000 },
			RiskChange::ListCollateral { asset: 9, listing: pct(20) },
			RiskChange::AddFeeder { feeder: 8 },
			RiskChange::SetUnstakeCooldown { blocks: 60 },
		] {
			assert_ok!(propose(change));
			// Two per block at most.
			run_to_block(System::block_number() + 1);
		}
		assert_ok!(propose(RiskChange::AuthorizeUpgrade { code_hash: H256::repeat_byte(1) }));
		assert_eq!(Pending::<Test>::count(), 8);
	});
}

#[test]
fn a_scheduled_change_can_be_cancelled_and_then_never_happens() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(propose(RiskChange::AddFeeder { feeder: 8 }));
		assert_noop!(Governance::cancel(RuntimeOrigin::signed(MALLORY), 0), sp_runtime::DispatchError::BadOrigin);
		assert_ok!(Governance::cancel(RuntimeOrigin::signed(GUARDIAN), 0));
		assert!(governance_events().contains(&Event::ChangeCancelled { id: 0 }));
		assert_noop!(Governance::cancel(RuntimeOrigin::signed(GUARDIAN), 0), Error::<Test>::ChangeNotFound);
		run_to_block(1 + TIMELOCK + 1);
		assert!(!Feeders::contains_key(8));
		assert_eq!(Agenda::<Test>::iter().count(), 0);
	});
}

#[test]
fn a_change_that_left_its_bounds_while_waiting_fails_and_changes_nothing() {
	ExtBuilder::default().build_and_execute(|| {
		// Scheduled: the cap doubles (within the step from 1,000,000)…
		assert_ok!(propose(RiskChange::SetOpenInterestCap { market: BTC_USD, max_open_interest: 2_000_000 }));
		// …then the council lowers it at once to 600,000: doubling-plus from there is too big.
		assert_ok!(propose(RiskChange::SetOpenInterestCap { market: BTC_USD, max_open_interest: 600_000 }));
		run_to_block(1 + TIMELOCK);
		assert_eq!(Markets::get(BTC_USD).map(|m| m.2), Some(600_000));
		assert!(governance_events()
			.contains(&Event::ChangeFailed { id: 0, error: Error::<Test>::StepTooLarge.into() }));
		assert_eq!(Pending::<Test>::count(), 0);
	});
}

#[test]
fn an_upgrade_is_authorized_only_after_the_timelock() {
	ExtBuilder::default().build_and_execute(|| {
		let code_hash = H256::repeat_byte(7);
		assert_ok!(propose(RiskChange::AuthorizeUpgrade { code_hash }));
		run_to_block(TIMELOCK);
		assert_eq!(Upgrade::get(), None);
		run_to_block(1 + TIMELOCK);
		assert_eq!(Upgrade::get(), Some(code_hash));
	});
}

#[test]
fn a_fee_table_always_waits_out_the_timelock() {
	ExtBuilder::default().build_and_execute(|| {
		// Lower fees or higher: the insurance fund's revenue moves either way.
		for (i, tiers) in [pct(0), pct(1)].into_iter().enumerate() {
			assert_ok!(propose(RiskChange::SetFeeTiers { tiers }));
			assert_eq!(Pending::<Test>::count() as usize, i + 1);
		}
		run_to_block(TIMELOCK);
		assert_eq!(FeeTable::get(), None, "not enacted before its timelock");
		run_to_block(1 + TIMELOCK);
		assert_eq!(FeeTable::get(), Some(pct(1)));
	});
}
