//! Every JSON Pointer of a document, for the suites that mutate the corpus's inputs
//! (`#[path]`-included).

use serde_json::Value;

/// Every JSON Pointer of `v`, the root included.
pub fn pointers(v: &Value, here: String, out: &mut Vec<String>) {
    out.push(here.clone());
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                pointers(c, format!("{here}/{}", agentrules::pointer::escape(k)), out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                pointers(c, format!("{here}/{i}"), out);
            }
        }
        _ => {}
    }
}
