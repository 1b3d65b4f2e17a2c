//! A small JSON Schema checker for the subset docs/json.md uses (type,
//! enum, properties, required, additionalProperties, items), and a reader
//! for the schema blocks in that document, so that the documentation itself
//! is what the tests hold the output to.

use serde_json::Value;

/// The block fenced as ```json schema:NAME in docs/json.md.
pub fn documented(name: &str) -> Value {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/json.md")).unwrap();
    let fence = format!("```json schema:{name}\n");
    let start = doc
        .find(&fence)
        .unwrap_or_else(|| panic!("docs/json.md has no schema:{name} block"))
        + fence.len();
    let end = start + doc[start..].find("\n```").unwrap();
    serde_json::from_str(&doc[start..end])
        .unwrap_or_else(|e| panic!("schema:{name} is not JSON: {e}"))
}

/// Holds `value` to the schema docs/json.md gives for `name`.
pub fn validate(value: &Value, name: &str) {
    let bad = violations(&documented(name), value);
    assert!(
        bad.is_empty(),
        "{name} output breaks docs/json.md: {bad:#?}\n{value:#}"
    );
}

/// Every way `value` breaks `schema`, as paths with reasons.
pub fn violations(schema: &Value, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    check(schema, value, "$", &mut out);
    out
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn check(schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            out.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
        return;
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let actual = type_name(value);
        let ok = types
            .iter()
            .any(|t| *t == actual || (*t == "number" && actual == "integer"));
        if !ok {
            out.push(format!("{at}: {actual} where {types:?} is documented"));
            return;
        }
    }
    if let Value::Object(map) = value {
        let props = schema.get("properties").and_then(Value::as_object);
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for key in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(key) {
                    out.push(format!("{at}: missing {key}"));
                }
            }
        }
        for (key, v) in map {
            let here = format!("{at}.{key}");
            match (
                props.and_then(|p| p.get(key)),
                schema.get("additionalProperties"),
            ) {
                (Some(sub), _) => check(sub, v, &here, out),
                (None, Some(Value::Bool(false))) => out.push(format!("{here}: not documented")),
                (None, Some(sub @ Value::Object(_))) => check(sub, v, &here, out),
                (None, _) => {}
            }
        }
    }
    if let (Value::Array(items), Some(sub)) = (value, schema.get("items")) {
        for (i, v) in items.iter().enumerate() {
            check(sub, v, &format!("{at}[{i}]"), out);
        }
    }
}

#[test]
fn the_documented_schemas_refuse_what_they_should() {
    let good: Value = serde_json::from_str(
        r#"{"version":1,"directory":"/d","reason":"no-project","project":null,"marker":null,
            "environment":null,"prompt":null,"python_version":null,"healthy":null,
            "trusted":false,"allow_command":null,"problem":null}"#,
    )
    .unwrap();
    validate(&good, "watch");
    for (field, bad) in [
        ("reason", Value::from("maybe")),
        ("trusted", Value::Null),
        ("version", Value::from(2)),
        ("extra", Value::from(1)),
    ] {
        let mut v = good.clone();
        v[field] = bad;
        let found = violations(&documented("watch"), &v);
        assert!(!found.is_empty(), "{field} should be refused");
    }
    let list: Value = serde_json::from_str(
        r#"{"version":1,"central":{"folder":null,"exists":false,"problem":"x","environments":[
            {"name":"a","path":"/a","python_version":null,"healthy":"yes","problem":null,"used_by":[]}]},
            "trusted":[],"tools":[],"problems":[]}"#,
    )
    .unwrap();
    let found = violations(&documented("list"), &list);
    assert_eq!(found.len(), 1, "{found:#?}");
}

#[test]
fn schema_checker_catches_what_it_should() {
    let s = documented("status");
    let bad = serde_json::json!({"version": 2, "extra": 1});
    let found = violations(&s, &bad);
    assert!(found.iter().any(|f| f.contains("$.version")), "{found:#?}");
    assert!(
        found.iter().any(|f| f.contains("missing directory")),
        "{found:#?}"
    );
    assert!(
        found.iter().any(|f| f.contains("$.extra: not documented")),
        "{found:#?}"
    );
}
