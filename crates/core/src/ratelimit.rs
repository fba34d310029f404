//! Rate limits: fixed-window counters keyed by what is being limited (`comment:client:…`).
//! In process by default; in Redis when `KIOSQUE_REDIS_URL` is set, so that the counters
//! hold across any number of API instances. Redis trouble never takes the API down: the
//! limiter fails open with a warning.
//!
//! Keys never hold a client's address: callers pass a salted hash (see
//! `content::comments::posting::ClientAddr`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::AppError;

/// At most `max` events per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: u32,
    pub window: Duration,
}

impl Limit {
    pub const fn per(max: u32, window_secs: u64) -> Self {
        Self {
            max,
            window: Duration::from_secs(window_secs),
        }
    }
}

/// The counters, in process or in Redis. Cheap to clone.
#[derive(Clone)]
pub enum RateLimiter {
    Memory(Arc<MemoryCounters>),
    Redis(Arc<RedisCounters>),
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Memory(_) => "RateLimiter::Memory",
            Self::Redis(_) => "RateLimiter::Redis",
        })
    }
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::memory()
    }
}

impl RateLimiter {
    pub fn memory() -> Self {
        Self::Memory(Arc::new(MemoryCounters::default()))
    }

    /// Counters in the Redis at `url` (`redis://host:port/db`), every key under `prefix`.
    /// The connection is made on first use, so a Redis that is down at start is no obstacle.
    pub fn redis(url: &str, prefix: &str) -> Result<Self, String> {
        let client = redis::Client::open(url).map_err(|e| e.to_string())?;
        Ok(Self::Redis(Arc::new(RedisCounters {
            client,
            prefix: prefix.to_owned(),
            conn: tokio::sync::Mutex::new(None),
            down_until: Mutex::new(None),
        })))
    }

    /// Counts one event under `key`; past the limit, `RATE_LIMITED` with the seconds until
    /// the window ends.
    pub async fn hit(&self, key: &str, limit: Limit) -> Result<(), AppError> {
        if limit.max == 0 {
            return Ok(());
        }
        let (count, resets_in) = match self {
            Self::Memory(m) => m.hit(key, limit.window),
            Self::Redis(r) => match r.hit(key, limit.window).await {
                Some(found) => found,
                None => return Ok(()),
            },
        };
        if count > limit.max as u64 {
            let retry_after = resets_in.as_secs() + u64::from(resets_in.subsec_nanos() > 0);
            return Err(AppError::RateLimited {
                retry_after: retry_after.max(1),
            });
        }
        Ok(())
    }
}

/// In-process fixed windows. Expired windows are swept now and then so the map stays small.
#[derive(Default)]
pub struct MemoryCounters {
    windows: Mutex<HashMap<String, (u64, Instant)>>,
}

impl MemoryCounters {
    const SWEEP_ABOVE: usize = 10_000;

    fn hit(&self, key: &str, window: Duration) -> (u64, Duration) {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() > Self::SWEEP_ABOVE {
            windows.retain(|_, (_, ends)| *ends > now);
        }
        let entry = windows.entry(key.to_owned()).or_insert((0, now + window));
        if entry.1 <= now {
            *entry = (0, now + window);
        }
        entry.0 += 1;
        (entry.0, entry.1 - now)
    }
}

/// Counters in Redis: `INCR` and, on the first event of a window, `PEXPIRE`, atomically
/// in one script.
pub struct RedisCounters {
    client: redis::Client,
    prefix: String,
    conn: tokio::sync::Mutex<Option<redis::aio::ConnectionManager>>,
    /// After a failure, Redis is not tried again before this (requests are not slowed down
    /// by a dead server).
    down_until: Mutex<Option<Instant>>,
}

const HIT_SCRIPT: &str = r"
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
";

const REDIS_TIMEOUT: Duration = Duration::from_millis(300);
const REDIS_RETRY_AFTER_FAILURE: Duration = Duration::from_secs(5);

impl RedisCounters {
    /// `None` when Redis could not answer (the caller lets the request through).
    async fn hit(&self, key: &str, window: Duration) -> Option<(u64, Duration)> {
        if self
            .down_until
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some_and(|until| Instant::now() < until)
        {
            return None;
        }
        match tokio::time::timeout(REDIS_TIMEOUT * 2, self.try_hit(key, window)).await {
            Ok(Ok(found)) => Some(found),
            Ok(Err(err)) => self.failed(&err.to_string()),
            Err(_) => self.failed("timed out"),
        }
    }

    fn failed(&self, why: &str) -> Option<(u64, Duration)> {
        tracing::warn!(error = %why, "Redis is unreachable: rate limits are not enforced for now");
        *self.down_until.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(Instant::now() + REDIS_RETRY_AFTER_FAILURE);
        None
    }

    async fn try_hit(&self, key: &str, window: Duration) -> redis::RedisResult<(u64, Duration)> {
        let mut conn = {
            let mut slot = self.conn.lock().await;
            match slot.as_ref() {
                Some(conn) => conn.clone(),
                None => {
                    let config = redis::aio::ConnectionManagerConfig::new()
                        .set_connection_timeout(Some(REDIS_TIMEOUT))
                        .set_response_timeout(Some(REDIS_TIMEOUT))
                        .set_number_of_retries(1);
                    let conn =
                        redis::aio::ConnectionManager::new_with_config(self.client.clone(), config)
                            .await?;
                    *slot = Some(conn.clone());
                    conn
                }
            }
        };
        let millis = window.as_millis().max(1) as u64;
        let (count, ttl): (i64, i64) = redis::Script::new(HIT_SCRIPT)
            .key(format!("{}{key}", self.prefix))
            .arg(millis)
            .invoke_async(&mut conn)
            .await?;
        Ok((
            count.max(0) as u64,
            Duration::from_millis(ttl.max(0) as u64),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_memory_counter_refuses_past_the_limit_with_a_retry_time() {
        let limiter = RateLimiter::memory();
        let limit = Limit::per(2, 60);
        assert!(limiter.hit("k", limit).await.is_ok());
        assert!(limiter.hit("k", limit).await.is_ok());
        let err = limiter.hit("k", limit).await.unwrap_err();
        assert!(
            matches!(err, AppError::RateLimited { retry_after } if (1..=60).contains(&retry_after))
        );
        assert!(limiter.hit("other", limit).await.is_ok());
    }

    #[tokio::test]
    async fn an_unreachable_redis_fails_open() {
        let limiter = RateLimiter::redis("redis://127.0.0.1:1/", "t:").unwrap();
        for _ in 0..3 {
            assert!(limiter.hit("k", Limit::per(1, 60)).await.is_ok());
        }
    }
}
