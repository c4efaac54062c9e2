//! How a figure moves between now and a proposal, as text and a tone for styling.

use crate::domain::money::Money;

/// "+$120.00" / "−$40.00" / "—", with the tone `up`, `down` or `same`.
pub fn change_text(now: &Money, proposed: &Money) -> (String, &'static str) {
    let delta = proposed.amount() - now.amount();
    match Money::new(delta.abs(), now.currency()) {
        Ok(_) if delta.is_zero() => ("—".into(), "same"),
        Ok(d) if delta.is_sign_positive() => (format!("+{}", d.format()), "up"),
        Ok(d) => (format!("−{}", d.format()), "down"),
        Err(_) => (String::new(), "same"),
    }
}
