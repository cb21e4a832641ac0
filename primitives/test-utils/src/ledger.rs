//! The vaults' ledger: settlement balances of subaccounts (which go negative when owed),
//! plain balances of outside accounts (the fund's, a keeper's), and collateral other than the
//! settlement asset: CLR, valued at the oracle's price less a haircut, or a value a test sets.
//! Every subaccount touched is remembered, so a test can check that money only moved.

use crate::{
	prices::MockPrices,
	store::{get, put},
	AccountId,
};
use clearing_primitives::{
	collateral::{CollateralLedger, Subaccount, Valuation},
	notional,
	oracle::PriceProvider,
	AssetId, Balance, SignedBalance,
};
use sp_runtime::{DispatchError, DispatchResult, Permill, Rounding};

/// The ledger every mock runtime settles through.
pub struct MockLedger;

/// The stand-in's CLR: asset 0, 6 decimals, counted at 75% of its price.
pub const CLR: AssetId = 0;
/// One CLR in its smallest units.
pub const ONE_CLR: Balance = 1_000_000;
/// What CLR counts for as collateral.
pub const CLR_HAIRCUT_KEPT: Permill = Permill::from_percent(75);

impl CollateralLedger<AccountId> for MockLedger {
	fn collateral_value(s: &Subaccount<AccountId>, valuation: Valuation) -> Result<SignedBalance, DispatchError> {
		let (opening, maintenance): (SignedBalance, SignedBalance) = get((b"mock-other", s));
		let other = if valuation == Valuation::Opening { opening } else { maintenance };
		Ok(settlement(s) + other + clr_value(s, valuation) as SignedBalance)
	}

	fn settlement_balance(s: &Subaccount<AccountId>) -> SignedBalance {
		get((b"mock-settle", s))
	}

	fn move_settlement(from: &Subaccount<AccountId>, to: &Subaccount<AccountId>, amount: Balance) -> DispatchResult {
		add(from, -(amount as SignedBalance));
		add(to, amount as SignedBalance);
		Ok(())
	}

	fn pay_out(from: &Subaccount<AccountId>, to: &AccountId, amount: Balance) -> DispatchResult {
		add(from, -(amount as SignedBalance));
		put((b"mock-account", to), account_balance(*to) + amount);
		Ok(())
	}

	fn pay_in(from: &AccountId, to: &Subaccount<AccountId>, amount: Balance) -> DispatchResult {
		let left = account_balance(*from)
			.checked_sub(amount)
			.ok_or(DispatchError::Other("the account cannot pay"))?;
		put((b"mock-account", from), left);
		add(to, amount as SignedBalance);
		Ok(())
	}

	fn collateral_assets(s: &Subaccount<AccountId>) -> Vec<AssetId> {
		if clr(s) > 0 {
			vec![CLR]
		} else {
			Vec::new()
		}
	}

	fn seize_collateral(
		from: &Subaccount<AccountId>,
		to: &Subaccount<AccountId>,
		valuation: Valuation,
	) -> Result<Balance, DispatchError> {
		let value = clr_value(from, valuation);
		let amount = clr(from);
		add(to, 0);
		put((b"mock-clr", from), 0u128);
		put((b"mock-clr", to), clr(to) + amount);
		Ok(value)
	}

	fn debtors(_: Option<Vec<u8>>, limit: u32) -> (Vec<Subaccount<AccountId>>, Option<Vec<u8>>) {
		let owing = seen().into_iter().filter(|s| settlement(s) < 0).take(limit as usize).collect();
		(owing, None)
	}
}

/// Moves `s`'s settlement balance by `delta`, remembering `s`.
fn add(s: &Subaccount<AccountId>, delta: SignedBalance) {
	let mut seen = seen();
	if !seen.contains(s) {
		seen.push(s.clone());
		put(b"mock-seen", seen);
	}
	put((b"mock-settle", s), settlement(s) + delta);
}

/// Every subaccount the ledger has touched.
pub fn seen() -> Vec<Subaccount<AccountId>> {
	get(b"mock-seen")
}

/// Gives `s` `amount` of settlement collateral from outside (counted as minted).
pub fn fund(s: &Subaccount<AccountId>, amount: Balance) {
	add(s, amount as SignedBalance);
	put(b"mock-minted", minted() + amount);
}

/// Gives the outside account `who` `amount` from outside (counted as minted).
pub fn credit_account(who: AccountId, amount: Balance) {
	put((b"mock-account", who), account_balance(who) + amount);
	put(b"mock-minted", minted() + amount);
}

/// Moves `amount` between outside accounts (a fund paying out of its account).
pub fn transfer_account(from: AccountId, to: AccountId, amount: Balance) -> DispatchResult {
	let left = account_balance(from).checked_sub(amount).ok_or(DispatchError::Other("the account cannot pay"))?;
	put((b"mock-account", from), left);
	put((b"mock-account", to), account_balance(to) + amount);
	Ok(())
}

/// `s`'s settlement balance.
pub fn settlement(s: &Subaccount<AccountId>) -> SignedBalance {
	MockLedger::settlement_balance(s)
}

/// What the outside account `who` holds.
pub fn account_balance(who: AccountId) -> Balance {
	get((b"mock-account", who))
}

/// Σ of what [`fund`] and [`credit_account`] brought in.
pub fn minted() -> Balance {
	get(b"mock-minted")
}

/// Σ of every settlement balance: fills, fees and funding only move them.
pub fn total_settlement() -> SignedBalance {
	seen().iter().map(settlement).sum()
}

/// Gives `s` collateral other than the settlement asset, worth `opening` at fresh prices and
/// `maintenance` at the last ones (both after haircut).
pub fn set_other_collateral(s: &Subaccount<AccountId>, opening: SignedBalance, maintenance: SignedBalance) {
	put((b"mock-other", s), (opening, maintenance));
}

/// `s`'s CLR, in its smallest units.
pub fn clr(s: &Subaccount<AccountId>) -> Balance {
	get((b"mock-clr", s))
}

/// Gives `s` `amount` of CLR collateral from outside.
pub fn give_clr(s: &Subaccount<AccountId>, amount: Balance) {
	add(s, 0);
	put((b"mock-clr", s), clr(s) + amount);
	put(b"mock-clr-minted", clr_minted() + amount);
}

/// Σ of what [`give_clr`] brought in.
pub fn clr_minted() -> Balance {
	get(b"mock-clr-minted")
}

/// Σ CLR of every subaccount the ledger has touched: only ever moved.
pub fn total_clr() -> Balance {
	seen().iter().map(clr).sum()
}

/// What `s`'s CLR counts for: at the fresh price for opening risk (nothing if the price is
/// not fresh), the last one for maintenance, less the haircut.
fn clr_value(s: &Subaccount<AccountId>, valuation: Valuation) -> Balance {
	let Some(quote) = MockPrices::quote(CLR) else { return 0 };
	if valuation == Valuation::Opening && !quote.is_fresh() {
		return 0;
	}
	let value = notional(clr(s), 6, quote.price, Rounding::Down).unwrap_or_default();
	CLR_HAIRCUT_KEPT.mul_floor(value)
}
