//! Storage migrations, FRAME's versioned pattern: each step is an `UncheckedOnRuntimeUpgrade`
//! wrapped in a `VersionedMigration`, so it runs once, only from the storage version it
//! expects, and bumps the version.

/// v0 → v1: each option series counts its holders ([`SeriesHolders`](crate::SeriesHolders)),
/// which a series' market must be without to close. Counts the positions already held in
/// series. A chain built with the count from genesis is already at v1 and skips this.
pub mod v1 {
	use crate::pallet::{Config, Pallet, Positions, SeriesHolders};
	use alloc::collections::BTreeMap;
	use clearing_primitives::{options::OptionMarks, MarketId};
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};

	/// The unversioned step; use [`MigrateToV1`].
	pub struct CountSeriesHolders<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for CountSeriesHolders<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut holders = BTreeMap::<MarketId, u32>::new();
			let mut read: u64 = 0;
			// One pass over every position (a single-block migration: positions are bounded
			// by the accounts that hold them, each at most `MaxPositions`).
			for (_, market, _) in Positions::<T>::iter() {
				read = read.saturating_add(1);
				if T::Options::is_series(market) {
					let count = holders.entry(market).or_default();
					*count = count.saturating_add(1);
				}
			}
			let written = holders.len() as u64;
			for (market, count) in holders {
				SeriesHolders::<T>::insert(market, count);
			}
			T::DbWeight::get().reads_writes(read, written)
		}
	}

	/// Runs [`CountSeriesHolders`] once, from storage version 0 to 1.
	pub type MigrateToV1<T> = VersionedMigration<
		0,
		1,
		CountSeriesHolders<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// v1 → v2: margin settings gain a margin mode ([`MarginMode`](crate::MarginMode)); every
/// stored setting keeps its choices and deposit, in `Standard` mode.
pub mod v2 {
	use crate::{
		pallet::{Config, Pallet, Settings},
		MarginMode, MarginSettings, MaxLeverageChoices,
	};
	use clearing_primitives::{Balance, MarketId};
	use codec::{Decode, Encode};
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
		BoundedVec,
	};

	/// Margin settings as v1 stored them.
	#[derive(Decode, Encode)]
	pub struct SettingsV1 {
		pub isolated: Option<MarketId>,
		pub leverage: BoundedVec<(MarketId, u8), MaxLeverageChoices>,
		pub deposit: Balance,
	}

	/// The unversioned step; use [`MigrateToV2`].
	pub struct AddMarginMode<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for AddMarginMode<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut moved: u64 = 0;
			// Single block: settings are stored only off the default, one per subaccount that
			// chose a leverage or isolation.
			Settings::<T>::translate::<SettingsV1, _>(|_, old| {
				moved = moved.saturating_add(1);
				Some(MarginSettings {
					isolated: old.isolated,
					leverage: old.leverage,
					deposit: old.deposit,
					mode: MarginMode::Standard,
				})
			});
			T::DbWeight::get().reads_writes(moved, moved)
		}
	}

	/// Runs [`AddMarginMode`] once, from storage version 1 to 2.
	pub type MigrateToV2<T> = VersionedMigration<
		1,
		2,
		AddMarginMode<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// v2 → v3: a `Portfolio` subaccount's positions are also kept in one key
/// ([`PortfolioLegs`](crate::pallet::PortfolioLegs)), which its health reading reads instead
/// of its positions. Each portfolio subaccount's legs are built from its positions; one whose
/// positions break the portfolio rules (more underlyings or perpetuals than
/// `MaxPortfolioUnderlyings`, an isolated-only market) goes back to `Standard`, where its
/// positions are within `MaxPositions` already (they could grow no further before).
pub mod v3 {
	use crate::{
		pallet::{Config, Event, Pallet, PortfolioLegs, Settings},
		MarginMode,
	};
	use alloc::vec::Vec;
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};

	/// The unversioned step; use [`MigrateToV3`].
	pub struct BuildPortfolioLegs<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for BuildPortfolioLegs<T> {
		fn on_runtime_upgrade() -> Weight {
			// Single block: settings are stored only off the default, one per subaccount that
			// chose a leverage, isolation or portfolio margin.
			let mut read: u64 = 0;
			let mut written: u64 = 0;
			let portfolios: Vec<_> = Settings::<T>::iter()
				.inspect(|_| read = read.saturating_add(1))
				.filter(|(_, settings)| settings.mode == MarginMode::Portfolio)
				.collect();
			let per_position = u64::from(T::MaxPositions::get()).saturating_mul(2);
			for (subaccount, mut settings) in portfolios {
				read = read.saturating_add(per_position);
				match Pallet::<T>::gather_legs(&subaccount) {
					Ok(legs) if legs.is_empty() => {},
					Ok(legs) => {
						PortfolioLegs::<T>::insert(&subaccount, legs);
						written = written.saturating_add(1);
					},
					Err(_) => {
						settings.mode = MarginMode::Standard;
						// Back at the default it goes, and its deposit with it.
						if Pallet::<T>::store_settings(&subaccount, settings).is_ok() {
							Pallet::<T>::deposit_event(Event::MarginModeSet {
								subaccount: subaccount.clone(),
								mode: MarginMode::Standard,
							});
						}
						written = written.saturating_add(1);
					},
				}
			}
			T::DbWeight::get().reads_writes(read, written)
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(_: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			Pallet::<T>::try_portfolio_legs()
		}
	}

	/// Runs [`BuildPortfolioLegs`] once, from storage version 2 to 3.
	pub type MigrateToV3<T> = VersionedMigration<
		2,
		3,
		BuildPortfolioLegs<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
