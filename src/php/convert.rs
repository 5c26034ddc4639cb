//! Conversions between PHP values and `serde_json::Value`, the neutral shape the core takes and
//! returns at the boundary. Lists become PHP lists; objects become string-keyed arrays.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::types::{ArrayKey, ZendHashTable, Zval};
use serde_json::{Map, Number, Value};

use crate::error::{ErrorCode, ExportError};

fn bad_argument(message: impl Into<String>) -> ExportError {
    ExportError::new(ErrorCode::InvalidArgument, message)
}

/// A PHP array as JSON, the way `json_encode` sees it: a list (keys 0..n in order, or no keys at
/// all) becomes an array, anything else an object. Map-typed settings accept the empty list
/// (see `crate::settings::map_or_empty_list`).
pub fn array_to_json(array: &ZendHashTable) -> Result<Value, ExportError> {
    let is_list = array.iter().enumerate().all(
        |(position, (key, _))| matches!(key, ArrayKey::Long(index) if index == position as i64),
    );
    if is_list {
        return array
            .iter()
            .map(|(_, value)| zval_to_json(value))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array);
    }
    let mut object = Map::new();
    for (key, value) in array.iter() {
        object.insert(key.to_string(), zval_to_json(value)?);
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
        array_to_json(array)
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
