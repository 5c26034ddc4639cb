//! Fault injection, configured per route through the console.
//!
//! A rule names a route (an API code such as `OR11`, a path prefix such as `/api/orders`, or `*`),
//! a fault and a trigger (a probability or the next N matching calls). Invariant: a rule with a
//! "next N" trigger fires exactly N times and is then removed; rules never touch `/_sandbox/`.

use rand::rngs::StdRng;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// What happens to a matching call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Answer with this status (429 carries `Retry-After`), without processing the request.
    Status {
        status: u16,
        #[serde(default)]
        retry_after_secs: Option<u64>,
    },
    /// Wait before processing; combines with any other fault.
    Latency { millis: u64 },
    /// Close the connection without processing the request.
    DropBeforeProcessing,
    /// Process the request (the write happens), then close the connection without answering.
    DropAfterProcessing,
    /// Process the request, then send about half of the body announced.
    TruncatedBody,
    /// Process the request, then answer 200 with a body that is not valid JSON.
    MalformedJson,
}

/// When a rule fires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// Each matching call independently, with this probability (0..=1).
    Probability(f64),
    /// The next N matching calls.
    NextCalls(u32),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    /// API code (`OR11`), path prefix (`/api/orders`) or `*`.
    pub route: String,
    pub fault: Fault,
    pub trigger: Trigger,
}

/// The faults chosen for one call.
#[derive(Debug, Default, Clone)]
pub struct Planned {
    pub latency_ms: u64,
    /// At most one non-latency fault: the first rule that fires.
    pub fault: Option<Fault>,
}

#[derive(Debug, Default)]
pub struct Faults {
    pub rules: Vec<FaultRule>,
}

impl Faults {
    /// Decides the faults for a call to `api` at `path`, consuming "next N" triggers.
    pub fn plan(&mut self, api: &str, path: &str, rng: &mut StdRng) -> Planned {
        let mut planned = Planned::default();
        for rule in self.rules.iter_mut() {
            let matches = rule.route == "*"
                || rule.route.eq_ignore_ascii_case(api)
                || (rule.route.starts_with('/') && path.starts_with(&rule.route));
            if !matches {
                continue;
            }
            let is_latency = matches!(rule.fault, Fault::Latency { .. });
            if !is_latency && planned.fault.is_some() {
                continue;
            }
            let fires = match &mut rule.trigger {
                Trigger::Probability(p) => rng.gen_bool(p.clamp(0.0, 1.0)),
                Trigger::NextCalls(n) if *n > 0 => {
                    *n -= 1;
                    true
                }
                Trigger::NextCalls(_) => false,
            };
            if !fires {
                continue;
            }
            match &rule.fault {
                Fault::Latency { millis } => planned.latency_ms += millis,
                other => planned.fault = Some(other.clone()),
            }
        }
        self.rules
            .retain(|r| !matches!(r.trigger, Trigger::NextCalls(0)));
        planned
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn next_calls_fire_exactly_n_times() {
        let mut faults = Faults::default();
        faults.rules.push(FaultRule {
            route: "OR11".into(),
            fault: Fault::Status {
                status: 503,
                retry_after_secs: None,
            },
            trigger: Trigger::NextCalls(2),
        });
        let mut rng = StdRng::seed_from_u64(1);
        assert!(faults
            .plan("OR21", "/api/orders/x/accept", &mut rng)
            .fault
            .is_none());
        assert!(faults.plan("OR11", "/api/orders", &mut rng).fault.is_some());
        assert!(faults.plan("OR11", "/api/orders", &mut rng).fault.is_some());
        assert!(faults.plan("OR11", "/api/orders", &mut rng).fault.is_none());
        assert!(faults.rules.is_empty());
    }

    #[test]
    fn rule_json_shape() {
        let rule: FaultRule = serde_json::from_str(
            r#"{"route":"/api/orders","fault":{"kind":"latency","millis":5},"trigger":{"probability":1.0}}"#,
        )
        .expect("parses");
        assert_eq!(rule.fault, Fault::Latency { millis: 5 });
    }
}
