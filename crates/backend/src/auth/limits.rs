//! Rate limits (governor's GCRA). Sign-in: every attempt counts against the caller's IP address;
//! failed attempts count against the account, which is then refused for a while even with the
//! right password. REST API: every request counts against its key. The limits live in each
//! server's memory: with several servers behind a load balancer each enforces them on its own
//! share of the traffic.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use wire::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct LimitSettings {
    /// Sign-in, sign-up and reset attempts one IP address may make per minute.
    pub attempts_per_ip_per_minute: u32,
    /// Failed sign-ins after which an account is locked...
    pub failures_per_account: u32,
    /// ...and how long each further attempt has to wait.
    pub account_unlock_seconds: u64,
    /// REST API requests one key may make per minute (bursts up to the same number).
    #[serde(default = "default_api_requests")]
    pub api_requests_per_key_per_minute: u32,
}

fn default_api_requests() -> u32 {
    600
}

pub struct SignInLimits {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    failures: DefaultKeyedRateLimiter<String>,
    per_api_key: DefaultKeyedRateLimiter<i64>,
    /// Accounts whose failure budget ran out, until when.
    locked: Mutex<HashMap<String, Instant>>,
    clock: DefaultClock,
}

fn non_zero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN)
}

fn seconds_message(wait: Duration) -> (u64, String) {
    let seconds = wait.as_secs().max(1);
    (
        seconds,
        format!("{seconds} second{}", if seconds == 1 { "" } else { "s" }),
    )
}

impl SignInLimits {
    pub fn new(settings: LimitSettings) -> SignInLimits {
        let unlock = Duration::from_secs(settings.account_unlock_seconds.max(1));
        let failures = Quota::with_period(unlock)
            .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
            // The failure that spends the budget locks the account: n failures, then a wait.
            .allow_burst(non_zero(settings.failures_per_account.saturating_sub(1)));
        SignInLimits {
            per_ip: RateLimiter::keyed(Quota::per_minute(non_zero(
                settings.attempts_per_ip_per_minute,
            ))),
            failures: RateLimiter::keyed(failures),
            per_api_key: RateLimiter::keyed(Quota::per_minute(non_zero(
                settings.api_requests_per_key_per_minute,
            ))),
            locked: Mutex::new(HashMap::new()),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one attempt from `ip`; refuses it when that address is over its limit.
    pub fn attempt_from(&self, ip: IpAddr) -> Result<(), AppError> {
        self.per_ip.check_key(&ip).map_err(|not_until| {
            let (retry_after_seconds, wait) =
                seconds_message(not_until.wait_time_from(self.clock.now()));
            AppError::RateLimited {
                message: format!("Too many attempts from your network. Try again in {wait}."),
                retry_after_seconds,
            }
        })
    }

    /// Refuses an attempt on an account that is locked after too many failures.
    pub fn check_account(&self, email: &str) -> Result<(), AppError> {
        let mut locked = self.locked.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        locked.retain(|_, until| *until > now);
        match locked.get(email) {
            Some(until) => {
                let (retry_after_seconds, wait) = seconds_message(*until - now);
                Err(AppError::RateLimited {
                    message: format!(
                        "Too many failed sign-ins for this account. Try again in {wait}, or \
                         reset the password."
                    ),
                    retry_after_seconds,
                })
            }
            None => Ok(()),
        }
    }

    /// Counts a failed sign-in against `email`, locking it when its budget is spent.
    pub fn record_failure(&self, email: &str) {
        if let Err(not_until) = self.failures.check_key(&email.to_owned()) {
            let wait = not_until.wait_time_from(self.clock.now());
            let mut locked = self.locked.lock().unwrap_or_else(|e| e.into_inner());
            locked.insert(email.to_owned(), Instant::now() + wait);
        }
    }

    /// Counts one REST API request by the key `key_id`; refuses it when the key is over its
    /// limit.
    pub fn api_request(&self, key_id: i64) -> Result<(), AppError> {
        self.per_api_key.check_key(&key_id).map_err(|not_until| {
            let (retry_after_seconds, wait) =
                seconds_message(not_until.wait_time_from(self.clock.now()));
            AppError::RateLimited {
                message: format!("This API key is over its request limit. Try again in {wait}."),
                retry_after_seconds,
            }
        })
    }

    /// Drops state of keys that are back to a full budget (called periodically).
    pub fn forget_idle(&self) {
        self.per_ip.retain_recent();
        self.failures.retain_recent();
        self.per_api_key.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> SignInLimits {
        SignInLimits::new(LimitSettings {
            attempts_per_ip_per_minute: 3,
            failures_per_account: 2,
            account_unlock_seconds: 60,
            api_requests_per_key_per_minute: 2,
        })
    }

    #[test]
    fn each_api_key_has_its_own_budget() {
        let limits = limits();
        limits.api_request(1).unwrap();
        limits.api_request(1).unwrap();
        let err = limits.api_request(1).unwrap_err();
        assert!(
            matches!(err, AppError::RateLimited { retry_after_seconds, .. } if retry_after_seconds >= 1)
        );
        limits.api_request(2).unwrap();
    }

    #[test]
    fn an_address_gets_its_quota_then_a_clear_refusal() {
        let limits = limits();
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        for _ in 0..3 {
            limits.attempt_from(ip).unwrap();
        }
        let err = limits.attempt_from(ip).unwrap_err();
        assert!(
            matches!(err, AppError::RateLimited { retry_after_seconds, .. } if retry_after_seconds >= 1)
        );
        assert!(err.to_string().starts_with("Too many attempts"));
        limits.attempt_from("192.0.2.8".parse().unwrap()).unwrap();
    }

    #[test]
    fn an_account_locks_after_its_failures_only() {
        let limits = limits();
        limits.record_failure("a@example.com");
        limits.check_account("a@example.com").unwrap();
        limits.record_failure("a@example.com");
        let err = limits.check_account("a@example.com").unwrap_err();
        assert!(err.to_string().contains("failed sign-ins for this account"));
        limits.check_account("b@example.com").unwrap();
    }
}
