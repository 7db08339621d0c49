//! Rate limits on authentication: sign-in attempts per client address and
//! per organisation/user pair, and presented-but-invalid credentials (an
//! unknown or revoked token, an unknown or expired session cookie) per
//! client address. Successful token and cookie requests are never counted,
//! so busy scripts are not slowed down.
//!
//! The buckets are `governor`'s (GCRA, one state per key, in memory of this
//! process: servers sharing a database each count their own). The client's
//! address is the socket peer: behind a reverse proxy every client is the
//! proxy, so the proxy must limit on its side; `X-Forwarded-For` is not
//! trusted (a client could write any address there).

use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// At most `count` events per `per`, all of them usable at once (the
/// bucket refills one event every `per / count`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Events allowed in one window (also the burst).
    pub count: NonZeroU32,
    /// The window.
    pub per: Duration,
}

/// A limit written `COUNT/SECONDS` that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a rate limit: write COUNT/SECONDS with both above 0, e.g. `10/60`")]
pub struct LimitParseError(String);

impl Limit {
    /// `count` events per `seconds` seconds; `None` when either is 0.
    pub fn per_seconds(count: u32, seconds: u64) -> Option<Limit> {
        Some(Limit {
            count: NonZeroU32::new(count)?,
            per: Some(Duration::from_secs(seconds)).filter(|d| !d.is_zero())?,
        })
    }

    fn quota(&self) -> Quota {
        let refill = (self.per / self.count.get()).max(Duration::from_nanos(1));
        // `refill` is at least a nanosecond, so the quota always exists.
        Quota::with_period(refill)
            .unwrap_or_else(|| Quota::per_second(self.count))
            .allow_burst(self.count)
    }
}

impl FromStr for Limit {
    type Err = LimitParseError;

    fn from_str(text: &str) -> Result<Limit, LimitParseError> {
        let error = || LimitParseError(text.to_owned());
        let (count, seconds) = text.trim().split_once('/').ok_or_else(error)?;
        let count: u32 = count.trim().parse().map_err(|_| error())?;
        let seconds: u64 = seconds.trim().parse().map_err(|_| error())?;
        Limit::per_seconds(count, seconds).ok_or_else(error)
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.count, self.per.as_secs())
    }
}

/// The limits a server enforces (`caisson serve --sign-in-limit-ip` and
/// friends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthLimits {
    /// Sign-in attempts (successful or not) from one client address.
    pub sign_in_per_ip: Limit,
    /// Sign-in attempts for one organisation/user pair, from anywhere;
    /// checks of the current password (`POST /me/password`) count here too.
    pub sign_in_per_user: Limit,
    /// Requests from one client address carrying a token or session cookie
    /// that is not valid (requests without credentials are not counted).
    pub failed_auth_per_ip: Limit,
}

impl Default for AuthLimits {
    fn default() -> Self {
        let limit = |count, seconds| Limit {
            count: NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN),
            per: Duration::from_secs(seconds),
        };
        AuthLimits {
            sign_in_per_ip: limit(20, 60),
            sign_in_per_user: limit(10, 15 * 60),
            failed_auth_per_ip: limit(100, 60),
        }
    }
}

/// How many checks pass between two prunings of forgotten keys.
const PRUNE_EVERY: u64 = 1024;

/// The limiters of one server process.
#[derive(Debug)]
pub struct Limiters {
    sign_in_ip: DefaultKeyedRateLimiter<IpAddr>,
    sign_in_user: DefaultKeyedRateLimiter<(String, String)>,
    failed_auth_ip: DefaultKeyedRateLimiter<IpAddr>,
    /// Addresses that went over `failed_auth_per_ip`, and until when: they
    /// may present no credentials at all (valid ones included) until then,
    /// so that guessing past the limit cannot succeed either. `governor`
    /// tells the instant; this map only remembers it, because a bucket
    /// cannot be read without taking from it.
    blocked: Mutex<HashMap<IpAddr, Instant>>,
    checks: AtomicU64,
}

impl Limiters {
    /// Fresh limiters for `limits`.
    pub fn new(limits: &AuthLimits) -> Limiters {
        Limiters {
            sign_in_ip: RateLimiter::keyed(limits.sign_in_per_ip.quota()),
            sign_in_user: RateLimiter::keyed(limits.sign_in_per_user.quota()),
            failed_auth_ip: RateLimiter::keyed(limits.failed_auth_per_ip.quota()),
            blocked: Mutex::new(HashMap::new()),
            checks: AtomicU64::new(0),
        }
    }

    /// Counts a sign-in attempt for `ip` and for the organisation/user
    /// pair; `Err(wait)` when either is over its limit (the attempt must
    /// then be refused without looking at the password).
    pub fn sign_in(&self, ip: IpAddr, organisation: &str, user: &str) -> Result<(), Duration> {
        self.prune();
        check(&self.sign_in_ip, &key_of(ip))?;
        self.password_check(organisation, user)
    }

    /// Counts a check of `user`'s password other than a sign-in (the
    /// current password of a change); `Err(wait)` when over the limit.
    pub fn password_check(&self, organisation: &str, user: &str) -> Result<(), Duration> {
        check(
            &self.sign_in_user,
            &(organisation.to_owned(), user.to_owned()),
        )
    }

    /// `Err(wait)` while `ip` is blocked for having presented too many
    /// invalid credentials.
    pub fn check_blocked(&self, ip: IpAddr) -> Result<(), Duration> {
        let key = key_of(ip);
        let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        match blocked.get(&key) {
            Some(until) => match until.checked_duration_since(Instant::now()) {
                Some(wait) if !wait.is_zero() => Err(wait),
                _ => {
                    blocked.remove(&key);
                    Ok(())
                }
            },
            None => Ok(()),
        }
    }

    /// Counts invalid credentials presented from `ip`; `Err(wait)` (and
    /// `ip` blocked for `wait`) when that was one too many.
    pub fn failed_auth(&self, ip: IpAddr) -> Result<(), Duration> {
        self.prune();
        let key = key_of(ip);
        check(&self.failed_auth_ip, &key).inspect_err(|wait| {
            let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
            blocked.insert(key, Instant::now() + *wait);
        })
    }

    /// Forgets, now and then, the keys whose buckets are full again, so
    /// that addresses and user names seen once do not stay in memory.
    fn prune(&self) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY != PRUNE_EVERY - 1 {
            return;
        }
        self.sign_in_ip.retain_recent();
        self.sign_in_user.retain_recent();
        self.failed_auth_ip.retain_recent();
        let now = Instant::now();
        self.blocked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, until| *until > now);
    }
}

/// Takes one event from `key`'s bucket; the wait until the next would be
/// allowed when it is empty (at least a second: `Retry-After` counts in
/// whole seconds).
fn check<K>(limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> Result<(), Duration>
where
    K: std::hash::Hash + Eq + Clone,
{
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(limiter.clock().now());
        wait.max(Duration::from_secs(1))
    })
}

/// The key of a client address: an IPv4 address (also when written as an
/// IPv4-mapped IPv6 address), or the /64 network of an IPv6 address (one
/// host usually holds a whole /64).
fn key_of(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(network))
        }
        v4 => v4,
    }
}

/// The client's address: the socket peer of the connection (never a
/// forwarding header). `0.0.0.0` when the server was started without
/// connection information (a router driven in-process).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The address of a request's connection.
    pub fn of(parts: &Parts) -> ClientIp {
        ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip()),
        )
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        Ok(ClientIp::of(parts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(count: u32) -> AuthLimits {
        let limit = Limit::per_seconds(count, 3600).expect("limit");
        AuthLimits {
            sign_in_per_ip: limit,
            sign_in_per_user: limit,
            failed_auth_per_ip: limit,
        }
    }

    #[test]
    fn limits_parse_and_print() {
        let limit: Limit = "10/60".parse().expect("parses");
        assert_eq!(limit, Limit::per_seconds(10, 60).expect("limit"));
        assert_eq!(limit.to_string(), "10/60");
        for bad in ["", "10", "0/60", "10/0", "-1/60", "a/b", "10/60/1"] {
            assert!(bad.parse::<Limit>().is_err(), "{bad}");
        }
    }

    #[test]
    fn sign_ins_are_counted_per_address_and_per_user() {
        let limiters = Limiters::new(&limits(2));
        let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let b = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        assert!(limiters.sign_in(a, "org", "ana").is_ok());
        assert!(limiters.sign_in(a, "org", "bob").is_ok());
        // The address is spent, whoever signs in from it.
        let wait = limiters.sign_in(a, "org", "cid").expect_err("limited");
        assert!(wait >= Duration::from_secs(1));
        // Another address may still sign in bob once more, then bob is spent.
        assert!(limiters.sign_in(b, "org", "bob").is_ok());
        assert!(limiters.sign_in(b, "org", "bob").is_err());
        assert!(limiters.password_check("org", "bob").is_err());
        assert!(limiters.password_check("org", "ana").is_ok());
    }

    #[test]
    fn too_many_failures_block_the_address() {
        let limiters = Limiters::new(&limits(2));
        let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let b = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        assert!(limiters.check_blocked(a).is_ok());
        assert!(limiters.failed_auth(a).is_ok());
        assert!(limiters.failed_auth(a).is_ok());
        assert!(limiters.check_blocked(a).is_ok());
        assert!(limiters.failed_auth(a).is_err());
        assert!(limiters.check_blocked(a).is_err());
        assert!(limiters.check_blocked(b).is_ok());
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64_bit_network() {
        let one: IpAddr = "2001:db8:1:2::1".parse().expect("ip");
        let two: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("ip");
        let other: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert_eq!(key_of(one), key_of(two));
        assert_ne!(key_of(one), key_of(other));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().expect("ip");
        assert_eq!(key_of(mapped), IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)));
    }
}
