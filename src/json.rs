//! A decoded reply as PHP values, the way `json_decode($s, true)` gives it.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::types::{ZendHashTable, Zval};
use serde_json::{Map, Value};

pub fn to_zval(v: &Value) -> Zval {
    let mut z = Zval::new();
    match v {
        Value::Null => z.set_null(),
        Value::Bool(b) => z.set_bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => z.set_long(i),
            None => z.set_double(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => {
            let _ = z.set_string(s, false);
        }
        Value::Array(items) => {
            let mut ht = ZendHashTable::with_capacity(items.len().try_into().unwrap_or(u32::MAX));
            for item in items {
                let _ = ht.push(to_zval(item));
            }
            z.set_hashtable(ht);
        }
        Value::Object(map) => z.set_hashtable(object_to_array(map)),
    }
    z
}

pub fn object_to_array(map: &Map<String, Value>) -> ZBox<ZendHashTable> {
    let mut ht = ZendHashTable::with_capacity(map.len().try_into().unwrap_or(u32::MAX));
    for (k, v) in map {
        // Like json_decode(): a key that is a canonical integer becomes an int key.
        let result = match k.parse::<i64>() {
            Ok(i) if i.to_string() == *k => ht.insert_at_index(i, to_zval(v)),
            _ => ht.insert(k.as_str(), to_zval(v)),
        };
        let _ = result;
    }
    ht
}
