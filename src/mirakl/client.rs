//! The Mirakl client: spends the call budget, executes a request through the transport, maps the
//! HTTP answer to a typed result or a classified [`MiraklError`], and retries in-call only what
//! `retry::decide` allows (never a write that may have reached Mirakl). Pagination as iterators.

use crate::mirakl::budget::{limits_for, CallBudget};
use crate::mirakl::config::{ClientConfig, ResponseLimits};
use crate::mirakl::error::{MiraklError, TransportError};
use crate::mirakl::model::OffsetPage;
use crate::mirakl::request::{ApiCode, Request};
use crate::mirakl::retry::{self, RetryDecision, RetryPolicy};
use crate::mirakl::transport::{HttpTransport, Response, Transport};
use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;
use std::sync::Mutex;
use std::time::{Duration, Instant};

type Sleeper = Box<dyn Fn(Duration) + Send + Sync>;
type Clock = Box<dyn Fn() -> DateTime<Utc> + Send + Sync>;

pub struct Client<T, B> {
    transport: T,
    budget: B,
    shop_id: Option<i64>,
    limits: ResponseLimits,
    policy: RetryPolicy,
    sleeper: Sleeper,
    clock: Clock,
    rng: Mutex<StdRng>,
}

impl<T, B> std::fmt::Debug for Client<T, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("shop_id", &self.shop_id)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl<B: CallBudget> Client<HttpTransport, B> {
    /// A client over HTTP with the settings' timeouts and key. Fails only if the HTTP stack
    /// cannot be set up (kind `Invalid`).
    pub fn connect(
        config: &ClientConfig,
        budget: B,
    ) -> Result<Client<HttpTransport, B>, TransportError> {
        let transport = HttpTransport::new(config)?;
        Ok(Client::new(config, transport, budget))
    }
}

impl<T: Transport, B: CallBudget> Client<T, B> {
    pub fn new(config: &ClientConfig, transport: T, budget: B) -> Client<T, B> {
        Client {
            transport,
            budget,
            shop_id: config.shop_id,
            limits: config.limits,
            policy: RetryPolicy::default(),
            sleeper: Box::new(std::thread::sleep),
            clock: Box::new(Utc::now),
            rng: Mutex::new(StdRng::from_entropy()),
        }
    }

    pub fn with_policy(mut self, policy: RetryPolicy) -> Client<T, B> {
        self.policy = policy;
        self
    }

    /// Replaces how the client waits between in-call retries (tests record instead of sleeping).
    pub fn with_sleeper(
        mut self,
        sleeper: impl Fn(Duration) + Send + Sync + 'static,
    ) -> Client<T, B> {
        self.sleeper = Box::new(sleeper);
        self
    }

    /// Replaces the clock used for call budgets.
    pub fn with_clock(
        mut self,
        clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static,
    ) -> Client<T, B> {
        self.clock = Box::new(clock);
        self
    }

    /// Makes the backoff jitter reproducible.
    pub fn with_rng_seed(mut self, seed: u64) -> Client<T, B> {
        self.rng = Mutex::new(StdRng::seed_from_u64(seed));
        self
    }

    /// The caps on answers the transport applies (for messages naming them).
    pub fn limits(&self) -> ResponseLimits {
        self.limits
    }

    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Executes `request`: budget first (refused without touching the network), then the
    /// transport, with in-call retries as `retry::decide` allows. Non-2xx answers become errors.
    /// The budget counts logical calls: in-call retries (bounded by the policy) spend none.
    pub fn send(&self, mut request: Request) -> Result<Response, MiraklError> {
        if let Some(shop_id) = self.shop_id {
            if request.query_value("shop_id").is_none() {
                request = request.query("shop_id", shop_id.to_string());
            }
        }
        self.spend_budget(&request)?;
        let started = Instant::now();
        let mut attempt: u32 = 0;
        loop {
            attempt = attempt.saturating_add(1);
            let error = match self.attempt(&request) {
                Ok(response) => return Ok(response),
                Err(error) => error,
            };
            let decision = {
                let mut rng = self.rng.lock().map_err(|_| MiraklError::Invalid {
                    api: request.api,
                    message: "retry random source poisoned".to_owned(),
                })?;
                retry::decide(
                    attempt,
                    &error.class(),
                    started.elapsed(),
                    &self.policy,
                    &mut *rng,
                )
            };
            match decision {
                RetryDecision::RetryAfter(wait) => (self.sleeper)(wait),
                RetryDecision::GiveUp | RetryDecision::Requeue(_) => return Err(error),
            }
        }
    }

    fn spend_budget(&self, request: &Request) -> Result<(), MiraklError> {
        let limits = limits_for(request.budget_key);
        if limits.is_empty() {
            return Ok(());
        }
        let now = (self.clock)();
        match self.budget.try_acquire(request.budget_key, limits, now) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(until)) => Err(MiraklError::BudgetExhausted {
                api: request.api,
                until,
                wait: (until - now).to_std().unwrap_or(Duration::ZERO),
            }),
            Err(error) => Err(MiraklError::BudgetUnavailable {
                api: request.api,
                message: error.0,
            }),
        }
    }

    fn attempt(&self, request: &Request) -> Result<Response, MiraklError> {
        let response = self
            .transport
            .execute(request)
            .map_err(|e| MiraklError::from_transport(request.api, request.is_write(), e))?;
        if response.is_success() {
            return Ok(response);
        }
        let retry_after = response.header("retry-after").and_then(parse_retry_after);
        Err(MiraklError::from_status(
            request.api,
            request.is_write(),
            response.status,
            retry_after,
            error_message(&response.body),
        ))
    }

    /// Sends and decodes a JSON answer.
    pub fn send_json<R: DeserializeOwned>(&self, request: Request) -> Result<R, MiraklError> {
        let api = request.api;
        let response = self.send(request)?;
        decode_json(api, &response.body)
    }

    /// Sends a call whose success has no body (204).
    pub fn send_no_content(&self, request: Request) -> Result<(), MiraklError> {
        self.send(request).map(|_| ())
    }

    /// Sends and returns the raw body (CSV answers).
    pub fn send_bytes(&self, request: Request) -> Result<Vec<u8>, MiraklError> {
        self.send(request).map(|response| response.body)
    }

    /// Iterates over the pages of an offset-paginated list; `build(offset)` makes each request.
    pub fn offset_pages<'c, P, F>(&'c self, page_size: u32, build: F) -> OffsetPages<'c, T, B, P>
    where
        F: Fn(u64) -> Request + 'c,
    {
        OffsetPages {
            client: self,
            build: Box::new(build),
            page_size: u64::from(page_size.max(1)),
            offset: 0,
            done: false,
            page: PhantomData,
        }
    }

    /// Iterates over the pages of a seek-paginated list: `first` for the first page, then
    /// `follow(token)` for each `next_page_token`.
    pub fn seek_pages<'c, P, F>(&'c self, first: Request, follow: F) -> SeekPages<'c, T, B, P>
    where
        F: Fn(&str) -> Request + 'c,
    {
        SeekPages {
            client: self,
            next: Some(first),
            follow: Box::new(follow),
            page: PhantomData,
        }
    }
}

/// Decodes a JSON body, mapping failures to [`MiraklError::Decode`].
pub fn decode_json<R: DeserializeOwned>(api: ApiCode, body: &[u8]) -> Result<R, MiraklError> {
    serde_json::from_slice(body).map_err(|e| MiraklError::Decode {
        api,
        message: e.to_string(),
    })
}

/// The longest `Retry-After` honoured. A server's value is untrusted: a wait of years (or one too
/// large for a [`Duration`]) would park the work for ever or overflow, so longer waits are cut to
/// this one; the call is then retried like any throttled call.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// `Retry-After` as seconds or an HTTP date, at most [`MAX_RETRY_AFTER`].
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let trimmed = value.trim();
    let wait = if let Ok(seconds) = trimmed.parse::<u64>() {
        Duration::from_secs(seconds)
    } else if let Ok(seconds) = trimmed.parse::<f64>() {
        if !seconds.is_finite() || seconds < 0.0 {
            return None;
        }
        Duration::try_from_secs_f64(seconds.min(MAX_RETRY_AFTER.as_secs_f64())).ok()?
    } else {
        let at = DateTime::parse_from_rfc2822(trimmed).ok()?;
        (at.with_timezone(&Utc) - Utc::now())
            .to_std()
            .unwrap_or(Duration::ZERO)
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// Mirakl's `message` from an error body, or the start of the body as text.
pub fn error_message(body: &[u8]) -> String {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        if let Some(message) = value.get("message").and_then(|m| m.as_str()) {
            return message.to_owned();
        }
    }
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    match trimmed.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &trimmed[..cut]),
        None => trimmed.to_owned(),
    }
}

/// Pages of an offset-paginated list (OR11, OF21, IV01). After an error the iterator ends;
/// [`OffsetPages::offset`] tells where to resume.
pub struct OffsetPages<'c, T, B, P> {
    client: &'c Client<T, B>,
    build: Box<dyn Fn(u64) -> Request + 'c>,
    page_size: u64,
    offset: u64,
    done: bool,
    page: PhantomData<P>,
}

impl<'c, T, B, P> OffsetPages<'c, T, B, P> {
    /// Starts (or resumes) at this offset instead of 0.
    pub fn starting_at(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// The offset of the next page to fetch.
    pub fn offset(&self) -> u64 {
        self.offset
    }
}

impl<'c, T: Transport, B: CallBudget, P: DeserializeOwned + OffsetPage> Iterator
    for OffsetPages<'c, T, B, P>
{
    type Item = Result<P, MiraklError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let request = (self.build)(self.offset);
        match self.client.send_json::<P>(request) {
            Err(error) => {
                self.done = true;
                Some(Err(error))
            }
            Ok(page) => {
                let count = u64::try_from(page.item_count()).unwrap_or(u64::MAX);
                self.offset = self.offset.saturating_add(count);
                let reached_total = page
                    .total_count()
                    .is_some_and(|total| i64::try_from(self.offset).map_or(true, |o| o >= total));
                if count < self.page_size || reached_total {
                    self.done = true;
                }
                Some(Ok(page))
            }
        }
    }
}

/// A seek-paginated page (TL02).
pub trait SeekPage {
    fn next_page_token(&self) -> Option<&str>;
}

/// Pages of a seek-paginated list; ends after the page without `next_page_token` or an error.
pub struct SeekPages<'c, T, B, P> {
    client: &'c Client<T, B>,
    next: Option<Request>,
    follow: Box<dyn Fn(&str) -> Request + 'c>,
    page: PhantomData<P>,
}

impl<'c, T: Transport, B: CallBudget, P: DeserializeOwned + SeekPage> Iterator
    for SeekPages<'c, T, B, P>
{
    type Item = Result<P, MiraklError>;

    fn next(&mut self) -> Option<Self::Item> {
        let request = self.next.take()?;
        let result = self.client.send_json::<P>(request);
        if let Ok(page) = &result {
            self.next = page
                .next_page_token()
                .filter(|token| !token.is_empty())
                .map(|token| (self.follow)(token));
        }
        Some(result)
    }
}

/// Declares the handler that binds one resource's calls to a client: `client.orders()`.
macro_rules! resource_handler {
    ($(#[$meta:meta])* $handler:ident, $method:ident) => {
        $(#[$meta])*
        pub struct $handler<'c, T, B> {
            client: &'c $crate::mirakl::client::Client<T, B>,
        }

        impl<T, B> $crate::mirakl::client::Client<T, B>
        where
            T: $crate::mirakl::transport::Transport,
            B: $crate::mirakl::budget::CallBudget,
        {
            pub fn $method(&self) -> $handler<'_, T, B> {
                $handler { client: self }
            }
        }
    };
}
pub(crate) use resource_handler;
