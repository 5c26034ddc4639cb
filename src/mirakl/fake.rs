//! A scripted [`Transport`] for tests: answers are queued in order and every request is recorded.
//! Lives in the library (not `cfg(test)`) so the sync engine's tests can use it too.

use crate::mirakl::error::{TransportError, TransportErrorKind};
use crate::mirakl::request::Request;
use crate::mirakl::transport::{Response, Transport};
use std::collections::VecDeque;
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct ScriptedTransport {
    answers: Mutex<VecDeque<Result<Response, TransportError>>>,
    requests: Mutex<Vec<Request>>,
}

impl ScriptedTransport {
    pub fn new() -> ScriptedTransport {
        ScriptedTransport::default()
    }

    /// Queues an answer with this status and body.
    pub fn respond(&self, status: u16, body: impl Into<Vec<u8>>) -> &ScriptedTransport {
        self.push(Ok(Response::new(status, body)))
    }

    /// Queues a full answer (e.g. with headers).
    pub fn respond_with(&self, response: Response) -> &ScriptedTransport {
        self.push(Ok(response))
    }

    /// Queues a transport failure.
    pub fn fail(&self, kind: TransportErrorKind, message: &str) -> &ScriptedTransport {
        self.push(Err(TransportError::new(kind, message)))
    }

    fn push(&self, answer: Result<Response, TransportError>) -> &ScriptedTransport {
        if let Ok(mut answers) = self.answers.lock() {
            answers.push_back(answer);
        }
        self
    }

    /// Every request executed so far, in order.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// How many requests were executed.
    pub fn calls(&self) -> usize {
        self.requests.lock().map(|r| r.len()).unwrap_or(0)
    }

    /// How many queued answers are left.
    pub fn remaining(&self) -> usize {
        self.answers.lock().map(|a| a.len()).unwrap_or(0)
    }
}

impl Transport for ScriptedTransport {
    fn execute(&self, request: &Request) -> Result<Response, TransportError> {
        if let Ok(mut requests) = self.requests.lock() {
            requests.push(request.clone());
        }
        self.answers
            .lock()
            .ok()
            .and_then(|mut answers| answers.pop_front())
            .unwrap_or_else(|| {
                Err(TransportError::new(
                    TransportErrorKind::Connect,
                    "scripted transport: no answer queued",
                ))
            })
    }
}
