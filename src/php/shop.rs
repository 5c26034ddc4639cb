//! The `Shop` port implemented by calling back into a PHP object (the plugin's WooShop). Each
//! call converts its arguments to PHP arrays, calls the method, and converts the answer back.
//! A PHP exception thrown inside the callback is taken here, so it never propagates past the
//! engine: `MiraklConnector\Shop\ShopRejected` becomes `ShopError::Rejected`, anything else
//! `ShopError::Transient`.
//!
//! A PHP fatal error (a bailout: an undefined function, memory exhausted, `exit`) inside a
//! callback would `longjmp` across the engine's Rust frames, skipping every destructor (the
//! store's transactions and leases). Each callback runs inside `zend_try`: a bailout is caught
//! here, turned into a transient shop error, every later callback of the tick fails the same way
//! without calling PHP, and the tick export re-raises the bailout once the engine has returned
//! (see [`PhpShop::bailed_out`]).

use chrono::{DateTime, Utc};
use ext_php_rs::convert::IntoZvalDyn;
use ext_php_rs::types::{ZendObject, Zval};
use ext_php_rs::zend::{try_catch, CatchError, ClassEntry, ExecutorGlobals};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::convert;
use crate::sync::shop::{
    Address, CataloguePage, MarketplaceRefund, ProductOffer, Shop, ShopError, ShopOrderDraft,
    ShopOrderId, ShopOrderPage, ShopOrderRef, ShopRefund, ShopRefundId, ShopTracking, StockLevel,
};

/// The PHP class whose exceptions mean "a human must look".
const REJECTED_CLASS: &str = "MiraklConnector\\Shop\\ShopRejected";

/// A PHP object seen as the engine's shop for the length of one tick.
pub struct PhpShop<'a> {
    object: &'a ZendObject,
    /// The callback that ended in a PHP fatal error, once one did.
    bailed_out: Option<String>,
    /// PHP's own exit unwinding is pending (see [`exiting`]).
    exiting: bool,
}

impl<'a> PhpShop<'a> {
    pub fn new(object: &'a ZendObject) -> PhpShop<'a> {
        PhpShop {
            object,
            bailed_out: None,
            exiting: false,
        }
    }

    /// Whether a callback ended in a PHP fatal error: the caller must re-raise it with
    /// `ext_php_rs::zend::bailout()` once no Rust frame of the tick is left, since PHP cannot
    /// go on running after a bailout.
    pub fn bailed_out(&self) -> bool {
        self.bailed_out.is_some() && !self.exiting
    }

    /// Whether a callback left PHP unwinding towards the end of the request (a fatal error that
    /// PHP turned into its internal exit unwinding, or `exit`): the caller returns without
    /// throwing and lets that unwinding go on.
    pub fn exiting(&self) -> bool {
        self.exiting
    }

    /// Calls `method` with `args` and reads its answer as `R`.
    fn call<R: DeserializeOwned>(&mut self, method: &str, args: &[Value]) -> Result<R, ShopError> {
        let answer = self.call_raw(method, args)?;
        let json = convert::zval_to_json(&answer).map_err(|e| {
            ShopError::rejected(format!("{method}() returned {}: {e}", kind_of(&answer)))
        })?;
        serde_json::from_value(json).map_err(|e| {
            ShopError::rejected(format!("{method}() returned an unexpected shape: {e}"))
        })
    }

    fn call_raw(&mut self, method: &str, args: &[Value]) -> Result<Zval, ShopError> {
        let zvals = args
            .iter()
            .map(convert::json_to_zval)
            .collect::<Result<Vec<Zval>, _>>()
            .map_err(|e| {
                ShopError::transient(format!("cannot pass arguments to {method}(): {e}"))
            })?;
        if let Some(failed) = &self.bailed_out {
            return Err(fatal_error(failed));
        }
        let params: Vec<&dyn IntoZvalDyn> = zvals.iter().map(|z| z as &dyn IntoZvalDyn).collect();
        let object = self.object;
        let caught = try_catch(std::panic::AssertUnwindSafe(|| {
            object.try_call_method(method, params)
        }));
        let outcome = match caught {
            Ok(outcome) => outcome,
            Err(CatchError::Panic(message)) => {
                return Err(ShopError::transient(format!(
                    "{method}() panicked in the extension: {message}"
                )))
            }
            Err(_) => {
                self.bailed_out = Some(method.to_owned());
                return Err(fatal_error(method));
            }
        };
        if exiting() {
            // A fatal error (memory exhausted) or `exit` inside the callback: PHP unwinds with its
            // internal `UnwindExit`, which must stay pending so PHP ends the request itself.
            self.bailed_out = Some(method.to_owned());
            self.exiting = true;
            return Err(fatal_error(method));
        }
        if let Some(exception) = ExecutorGlobals::take_exception() {
            return Err(shop_error_from(method, &exception));
        }
        outcome
            .map_err(|e| ShopError::rejected(format!("the shop object cannot run {method}(): {e}")))
    }

    fn call_void(&mut self, method: &str, args: &[Value]) -> Result<(), ShopError> {
        self.call_raw(method, args).map(|_| ())
    }
}

/// Whether the pending exception is PHP's internal exit unwinding (`UnwindExit`,
/// `GracefulExit`), which is no object PHP code can see and must never be taken or freed.
fn exiting() -> bool {
    let pending = ExecutorGlobals::get().exception;
    if pending.is_null() {
        return false;
    }
    // SAFETY: a pending exception is a live object with a class entry.
    let name = unsafe { (*pending).get_class_name() }.unwrap_or_default();
    matches!(name.as_str(), "UnwindExit" | "GracefulExit")
}

fn fatal_error(method: &str) -> ShopError {
    ShopError::transient(format!(
        "{method}() ended in a PHP fatal error; the tick stops here and PHP ends the request"
    ))
}

fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, ShopError> {
    serde_json::to_value(value)
        .map_err(|e| ShopError::transient(format!("cannot convert an argument: {e}")))
}

fn kind_of(value: &Zval) -> String {
    format!("{:?}", value.get_type())
}

/// Turns a PHP exception taken from the engine into a shop error carrying its message.
fn shop_error_from(method: &str, exception: &ZendObject) -> ShopError {
    let class = exception
        .get_class_name()
        .unwrap_or_else(|_| "Exception".to_owned());
    let message = exception
        .try_call_method("getMessage", vec![])
        .ok()
        .and_then(|m| m.string())
        .unwrap_or_default();
    let rejected = ClassEntry::try_find(REJECTED_CLASS).is_some_and(|ce| exception.instance_of(ce));
    if rejected {
        ShopError::rejected(message)
    } else {
        ShopError::transient(format!("{method}() threw {class}: {message}"))
    }
}

impl Shop for PhpShop<'_> {
    fn read_stock(&mut self, skus: &[String]) -> Result<Vec<StockLevel>, ShopError> {
        self.call("read_stock", &[to_value(skus)?])
    }

    fn read_offers(&mut self, skus: &[String]) -> Result<Vec<ProductOffer>, ShopError> {
        self.call("read_offers", &[to_value(skus)?])
    }

    fn read_catalogue(
        &mut self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<CataloguePage, ShopError> {
        self.call("read_catalogue", &[to_value(&after)?, to_value(&limit)?])
    }

    fn find_order_by_mirakl_id(
        &mut self,
        mirakl_order_id: &str,
    ) -> Result<Option<ShopOrderRef>, ShopError> {
        self.call("find_order_by_mirakl_id", &[to_value(mirakl_order_id)?])
    }

    fn mirakl_order_id_of(&mut self, order: ShopOrderId) -> Result<Option<String>, ShopError> {
        self.call("mirakl_order_id_of", &[to_value(&order)?])
    }

    fn marketplace_orders(
        &mut self,
        since: DateTime<Utc>,
        page: u32,
        per_page: u32,
    ) -> Result<ShopOrderPage, ShopError> {
        self.call(
            "marketplace_orders",
            &[
                to_value(&since.timestamp())?,
                to_value(&page)?,
                to_value(&per_page)?,
            ],
        )
    }

    fn create_order(&mut self, draft: &ShopOrderDraft) -> Result<ShopOrderId, ShopError> {
        self.call("create_order", &[to_value(draft)?])
    }

    fn set_order_status(&mut self, order: ShopOrderId, status: &str) -> Result<(), ShopError> {
        self.call_void("set_order_status", &[to_value(&order)?, to_value(status)?])
    }

    fn update_order_addresses(
        &mut self,
        order: ShopOrderId,
        billing: Option<&Address>,
        shipping: Option<&Address>,
    ) -> Result<(), ShopError> {
        self.call_void(
            "update_order_addresses",
            &[to_value(&order)?, to_value(&billing)?, to_value(&shipping)?],
        )
    }

    fn add_order_note(&mut self, order: ShopOrderId, note: &str) -> Result<(), ShopError> {
        self.call_void("add_order_note", &[to_value(&order)?, to_value(note)?])
    }

    fn cancel_order(&mut self, order: ShopOrderId, reason: &str) -> Result<(), ShopError> {
        self.call_void("cancel_order", &[to_value(&order)?, to_value(reason)?])
    }

    fn read_tracking(&mut self, order: ShopOrderId) -> Result<Option<ShopTracking>, ShopError> {
        self.call("read_tracking", &[to_value(&order)?])
    }

    fn read_refund(&mut self, refund: ShopRefundId) -> Result<Option<ShopRefund>, ShopError> {
        self.call("read_refund", &[to_value(&refund)?])
    }

    fn record_marketplace_refund(
        &mut self,
        order: ShopOrderId,
        refund: &MarketplaceRefund,
    ) -> Result<ShopRefundId, ShopError> {
        self.call(
            "record_marketplace_refund",
            &[to_value(&order)?, to_value(refund)?],
        )
    }
}
