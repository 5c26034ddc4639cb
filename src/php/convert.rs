//! Conversions between PHP values and `serde_json::Value`, the neutral shape the core takes and
//! returns at the boundary. Lists become PHP lists; objects become string-keyed arrays.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::types::{ArrayKey, ZendHashTable, Zval};
use serde_json::{Map, Number, Value};

use crate::error::{ErrorCode, ExportError};

/// How deep a PHP array may nest before it is refused. A self-referencing array (`$a['x'] = &$a`)
/// or an object graph with a cycle is infinitely deep, so it meets this limit too instead of
/// overflowing the stack.
pub const MAX_DEPTH: usize = 64;

fn bad_argument(message: impl Into<String>) -> ExportError {
    ExportError::new(ErrorCode::InvalidArgument, message)
}

/// A PHP array as JSON, the way `json_encode` sees it: a list (keys 0..n in order, or no keys at
/// all) becomes an array, anything else an object. Map-typed settings accept the empty list
/// (see `crate::settings::map_or_empty_list`).
pub fn array_to_json(array: &ZendHashTable) -> Result<Value, ExportError> {
    array_at_depth(array, 1)
}

fn array_at_depth(array: &ZendHashTable, depth: usize) -> Result<Value, ExportError> {
    if depth > MAX_DEPTH {
        return Err(bad_argument(format!(
            "an array nests deeper than {MAX_DEPTH} levels (or contains itself)"
        )));
    }
    let is_list = array.iter().enumerate().all(
        |(position, (key, _))| matches!(key, ArrayKey::Long(index) if index == position as i64),
    );
    if is_list {
        return array
            .iter()
            .map(|(_, value)| value_at_depth(value, depth))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array);
    }
    let mut object = Map::new();
    for (key, value) in array.iter() {
        object.insert(key.to_string(), value_at_depth(value, depth)?);
    }
    Ok(Value::Object(object))
}

/// A PHP array of named values (settings, a filter) as a JSON object; `[]` is the empty object.
pub fn map_to_json(array: &ZendHashTable) -> Result<Value, ExportError> {
    if array.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    array_to_json(array)
}

pub fn zval_to_json(value: &Zval) -> Result<Value, ExportError> {
    value_at_depth(value, 0)
}

/// `value` found inside an array `depth` levels deep; a PHP reference is read through.
fn value_at_depth(value: &Zval, depth: usize) -> Result<Value, ExportError> {
    let value = value.dereference();
    if value.is_null() {
        Ok(Value::Null)
    } else if let Some(flag) = value.bool() {
        Ok(Value::Bool(flag))
    } else if let Some(number) = value.long() {
        Ok(Value::Number(number.into()))
    } else if let Some(number) = value.double() {
        Number::from_f64(number)
            .map(Value::Number)
            .ok_or_else(|| bad_argument("a float value is not finite"))
    } else if let Some(text) = value.string() {
        Ok(Value::String(text))
    } else if let Some(array) = value.array() {
        array_at_depth(array, depth + 1)
    } else {
        Err(bad_argument(
            "only null, booleans, numbers, strings and arrays are accepted",
        ))
    }
}

/// Any serialisable core value as a PHP value (structs become string-keyed arrays).
pub fn to_zval<T: serde::Serialize>(value: &T) -> Result<Zval, ExportError> {
    let json = serde_json::to_value(value).map_err(|e| {
        ExportError::new(ErrorCode::Internal, format!("cannot convert a result: {e}"))
    })?;
    json_to_zval(&json)
}

/// JSON as a PHP value.
pub fn json_to_zval(value: &Value) -> Result<Zval, ExportError> {
    let mut zval = Zval::new();
    match value {
        Value::Null => zval.set_null(),
        Value::Bool(flag) => zval.set_bool(*flag),
        Value::Number(number) => match number.as_i64() {
            Some(integer) => zval.set_long(integer),
            None => zval.set_double(number.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(text) => zval.set_string(text, false).map_err(internal)?,
        Value::Array(items) => {
            let mut array: ZBox<ZendHashTable> =
                ZendHashTable::with_capacity(items.len().try_into().unwrap_or(u32::MAX));
            for item in items {
                array.push(json_to_zval(item)?).map_err(internal)?;
            }
            zval.set_hashtable(array);
        }
        Value::Object(fields) => {
            let mut array: ZBox<ZendHashTable> =
                ZendHashTable::with_capacity(fields.len().try_into().unwrap_or(u32::MAX));
            for (key, item) in fields {
                array
                    .insert(key.as_str(), json_to_zval(item)?)
                    .map_err(internal)?;
            }
            zval.set_hashtable(array);
        }
    }
    Ok(zval)
}

fn internal(error: ext_php_rs::error::Error) -> ExportError {
    ExportError::new(
        ErrorCode::Internal,
        format!("could not build a PHP value: {error}"),
    )
}
