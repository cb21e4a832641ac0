//! A minimal runtime for the vaults' tests: the native token (asset 0) from pallet-balances and
//! USDC (asset 1) and BTC (asset 2) from pallet-assets, joined as in the real runtime; prices
//! and the margin engine's answer are set by each test.

use crate::{self as pallet_vaults, CollateralConfig};
use clearing_primitives::{
	collateral::{MarginGuard, Subaccount},
	oracle::PriceStatus,
	AssetId, Balance, NativeOrAsset, Price,
};
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{
		fungible::UnionOf,
		fungibles::{Inspect, Mutate},
		ConstU128, ConstU32,
	},
	PalletId,
};
use sp_runtime::{BuildStorage, DispatchError, DispatchResult, Permill, Weight};

pub type AccountId = u64;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Assets: pallet_assets,
		Vaults: pallet_vaults,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type ExistentialDeposit = ConstU128<CLR_ED>;
}

#[derive_impl(pallet_assets::config_preludes::TestDefaultConfig)]
impl pallet_assets::Config for Test {
	type Balance = Balance;
	type Currency = Balances;
	type CreateOrigin =
		frame_support::traits::AsEnsureOriginWithArg<frame_system::EnsureSigned<AccountId>>;
	type ForceOrigin = frame_system::EnsureRoot<AccountId>;
	type Freezer = ();
}

/// Every token, addressed by the shared asset id.
pub type Tokens = UnionOf<Balances, Assets, NativeOrAsset, AssetId, AccountId>;

thread_local! {
	static MARGIN_REFUSES: RefCell<bool> = RefCell::new(false);
}

pub use clearing_test_utils::{set_price, MockPrices};

/// The margin engine, refusing or allowing every check as each test sets it.
pub struct MockMargin;
impl MarginGuard<AccountId> for MockMargin {
	fn ensure_initial_margin(_: &Subaccount<AccountId>) -> DispatchResult {
		if MARGIN_REFUSES.with(|r| *r.borrow()) {
			Err(DispatchError::Other("below initial margin"))
		} else {
			Ok(())
		}
	}
	fn ensure_initial_margin_weight() -> Weight {
		Weight::zero()
	}
}

pub fn margin_refuses(refuses: bool) {
	MARGIN_REFUSES.with(|r| *r.borrow_mut() = refuses);
}

parameter_types! {
	pub const VaultsPalletId: PalletId = PalletId(*b"clr/vlts");
	pub const Settlement: AssetId = USDC;
}

impl pallet_vaults::Config for Test {
	type Assets = Tokens;
	type Prices = MockPrices;
	type MarginGuard = MockMargin;
	type PalletId = VaultsPalletId;
	type SettlementAsset = Settlement;
	type MaxCollateralAssets = ConstU32<3>;
	type WeightInfo = ();
}

pub const CLR: AssetId = 0;
pub const USDC: AssetId = 1;
pub const BTC: AssetId = 2;
/// An asset that exists but is not collateral until a test registers it.
pub const ETH: AssetId = 3;
pub const CLR_ED: Balance = 1_000_000_000; // 0.001 CLR
pub const USDC_MIN: Balance = 10_000; // 0.01 USDC
pub const BTC_MIN: Balance = 1_000; // 0.00001 BTC
pub const ETH_MIN: Balance = 1_000;
pub const CLR_UNIT: Balance = 1_000_000_000_000;
pub const USDC_UNIT: Balance = 1_000_000;
pub const BTC_UNIT: Balance = 100_000_000;

pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
/// Owns the assets (their admin).
pub const ISSUER: AccountId = 99;

pub fn usdc_config() -> CollateralConfig {
	CollateralConfig {
		haircut: Permill::zero(),
		deposit_cap: 1_000_000 * USDC_UNIT,
		min_deposit: USDC_UNIT,
		decimals: 6,
		enabled: true,
	}
}

pub fn clr_config() -> CollateralConfig {
	CollateralConfig {
		haircut: Permill::from_percent(20),
		deposit_cap: 1_000_000 * CLR_UNIT,
		min_deposit: CLR_UNIT,
		decimals: 12,
		enabled: true,
	}
}

pub fn btc_config() -> CollateralConfig {
	CollateralConfig {
		haircut: Permill::from_percent(10),
		deposit_cap: 10 * BTC_UNIT,
		min_deposit: BTC_UNIT / 1_000,
		decimals: 8,
		enabled: true,
	}
}

pub fn sub(owner: AccountId, number: u16) -> Subaccount<AccountId> {
	Subaccount::new(owner, number)
}

pub fn vault() -> AccountId {
	Vaults::vault_account()
}

pub fn balance(asset: AssetId, who: AccountId) -> Balance {
	<Tokens as Inspect<AccountId>>::balance(asset, &who)
}

/// Builds test state: USDC, CLR and BTC registered as collateral; Alice and Bob hold
/// 1,000 CLR, 100,000 USDC and 5 BTC each; CLR is $2, BTC $60,000, both fresh.
pub struct ExtBuilder {
	collateral: Vec<(AssetId, CollateralConfig)>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self { collateral: vec![(USDC, usdc_config()), (CLR, clr_config()), (BTC, btc_config())] }
	}
}

impl ExtBuilder {
	/// No collateral registered (benchmarks and registry tests add their own).
	pub fn without_collateral() -> Self {
		Self { collateral: vec![] }
	}

	pub fn build(self) -> sp_io::TestExternalities {
		let endowed = [ALICE, BOB, ISSUER];
		let storage = RuntimeGenesisConfig {
			system: Default::default(),
			balances: pallet_balances::GenesisConfig {
				balances: endowed.iter().map(|who| (*who, 1_000 * CLR_UNIT)).collect(),
				..Default::default()
			},
			assets: pallet_assets::GenesisConfig {
				assets: vec![
					(USDC, ISSUER, true, USDC_MIN),
					(BTC, ISSUER, true, BTC_MIN),
					(ETH, ISSUER, true, ETH_MIN),
				],
				metadata: vec![],
				accounts: [ALICE, BOB]
					.iter()
					.flat_map(|who| [(USDC, *who, 100_000 * USDC_UNIT), (BTC, *who, 5 * BTC_UNIT)])
					.collect(),
				next_asset_id: None,
				reserves: vec![],
			},
			vaults: pallet_vaults::GenesisConfig {
				collateral_assets: self.collateral,
				haircut_curves: vec![],
				_config: Default::default(),
			},
		}
		.build_storage()
		.expect("the mock genesis builds");
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| {
			System::set_block_number(1);
			set_price(CLR, Price::from_u32(2), PriceStatus::Fresh);
			set_price(BTC, Price::from_u32(60_000), PriceStatus::Fresh);
			margin_refuses(false);
		});
		// Into the backend, so the benchmark suite's wipe between component values keeps it.
		ext.commit_all().expect("the mock's setup commits");
		ext
	}

	/// Runs `test`, then checks the pallet's invariants (`try_state`) and, since tests send
	/// nothing to the vault account directly, that it holds exactly what it owes plus each
	/// asset's existential reserve.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		let mut ext = self.build();
		ext.execute_with(|| {
			test();
			Vaults::do_try_state().expect("try_state holds after the test");
			assert_vault_holds_exactly_what_it_owes();
		});
	}
}

/// Tokens in the vault account = Σ collateral of all subaccounts + the existential reserve.
pub fn assert_vault_holds_exactly_what_it_owes() {
	for asset in crate::CollateralAssets::<Test>::iter_keys() {
		let owed: i128 = crate::Collateral::<Test>::iter()
			.filter(|(_, a, _)| *a == asset)
			.map(|(_, _, amount)| amount)
			.sum();
		let owed = Balance::try_from(owed).expect("debts never exceed holdings");
		let reserve = <Tokens as Inspect<AccountId>>::minimum_balance(asset);
		assert_eq!(balance(asset, vault()), owed + reserve, "vault holdings of asset {asset}");
	}
}

/// Mints `amount` of `asset` to `who` (test setup only).
pub fn mint(asset: AssetId, who: AccountId, amount: Balance) {
	<Tokens as Mutate<AccountId>>::mint_into(asset, &who, amount).expect("mint in tests");
}

/// The events this pallet emitted, oldest first.
pub fn vault_events() -> Vec<pallet_vaults::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Vaults(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// What `subaccount` holds of `asset`, for assertions on holdings that cannot be negative.
pub fn held(subaccount: &Subaccount<AccountId>, asset: AssetId) -> Balance {
	Balance::try_from(Vaults::collateral_of(subaccount, asset)).expect("not a debt")
}
