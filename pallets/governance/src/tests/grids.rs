//! Scenario grids for portfolio margin through the two paths. ATTACKS: 17 (a looser grid
//! waits out the timelock, a tighter one is fast; each field moves one step per window,
//! whichever changes move it; nothing leaves the grid's hard bounds).

use crate::{mock::*, Error, Event, RiskChange};
use clearing_primitives::portfolio::ScenarioGrid;
use frame_support::{assert_noop, assert_ok};
use sp_runtime::Permill;

const BTC: u32 = 2;

fn scheduled(change: &Change) -> bool {
	governance_events().iter().any(|e| matches!(e, Event::ChangeScheduled { change: c, .. } if c == change))
}

fn set(grid: ScenarioGrid) -> Change {
	RiskChange::SetScenarioGrid { asset: BTC, grid }
}

#[test]
fn a_tighter_grid_is_fast_and_a_looser_one_waits() {
	ExtBuilder::default().build_and_execute(|| {
		let base = ScenarioGrid::default();
		let tighter = ScenarioGrid { vol_down: Permill::from_percent(30), min_initial: 80_000_000, ..base };
		assert_ok!(propose(set(tighter)));
		assert!(governance_events().contains(&Event::ChangeEnacted { id: None, change: set(tighter) }));
		assert_eq!(Grids::get(BTC), Some(tighter));
		// Each field the unsafe way waits (eight: the pending bound): smaller shocks, a lower share, a higher
		// long-term power, smaller contingencies or minimum.
		for looser in [
			// A new spot step, larger or smaller, moves the grid's points: it waits.
			ScenarioGrid { spot_step: Permill::from_percent(6), ..tighter },
			ScenarioGrid { vol_up: Permill::from_percent(45), ..tighter },
			ScenarioGrid { short_term_power: Permill::from_percent(25), ..tighter },
			ScenarioGrid { long_term_power: Permill::from_percent(20), ..tighter },
			ScenarioGrid { maintenance_share: Permill::from_percent(75), ..tighter },
			ScenarioGrid { perpetual_contingency: Permill::zero(), ..tighter },
			ScenarioGrid { min_initial: 50_000_000, ..tighter },
			// Tighter somewhere and looser elsewhere: it waits too.
			ScenarioGrid { vol_up: Permill::from_percent(60), vol_down: Permill::from_percent(20), ..tighter },
		] {
			assert_ok!(propose(set(looser)));
			assert!(scheduled(&set(looser)), "{looser:?} waits");
			run_to_block(System::block_number() + 1);
		}
		assert_eq!(Grids::get(BTC), Some(tighter));
		// A lower long-term power scales shocks beyond 30 days up: fast.
		let longer = ScenarioGrid { long_term_power: Permill::from_percent(10), ..tighter };
		assert_ok!(propose(set(longer)));
		assert_eq!(Grids::get(BTC), Some(longer));
	});
}

#[test]
fn a_grid_outside_its_bounds_or_beyond_a_step_is_refused() {
	ExtBuilder::default().build_and_execute(|| {
		let base = ScenarioGrid::default();
		assert_noop!(propose(set(ScenarioGrid { spot_step: Permill::from_percent(11), ..base })), Error::<Test>::OutOfBounds);
		assert_noop!(propose(set(ScenarioGrid { min_initial: 0, ..base })), Error::<Test>::OutOfBounds);
		// Maintenance from 80% to 95%: fifteen points in one change.
		assert_noop!(
			propose(set(ScenarioGrid { maintenance_share: Permill::from_percent(95), ..base })),
			Error::<Test>::StepTooLarge
		);
		// The least requirement more than doubled.
		assert_noop!(propose(set(ScenarioGrid { min_initial: 101_000_000, ..base })), Error::<Test>::StepTooLarge);
		assert_eq!(Grids::get(BTC), None);
	});
}

#[test]
fn each_grid_field_moves_one_step_per_window() {
	ExtBuilder::default().build_and_execute(|| {
		let base = ScenarioGrid::default();
		let step_up = ScenarioGrid { vol_up: Permill::from_percent(60), ..base };
		assert_ok!(propose(set(step_up)));
		assert_eq!(Grids::get(BTC), Some(step_up));
		// Another ten points within the window: two steps from where the window opened.
		assert_noop!(
			propose(set(ScenarioGrid { vol_up: Permill::from_percent(70), ..base })),
			Error::<Test>::StepTooLarge
		);
		// Another underlying's grid has its own window.
		assert_ok!(propose(RiskChange::SetScenarioGrid { asset: 3, grid: step_up }));
		assert_eq!(Grids::get(3), Some(step_up));
	});
}
