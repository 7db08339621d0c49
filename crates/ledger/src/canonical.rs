//! RFC 8785 canonical JSON, restricted to the values the ledger accepts.
//!
//! The serialisation itself is `serde_json_canonicalizer`'s (keys sorted by
//! UTF-16 code units, numbers written as ECMAScript's `Number.prototype
//! .toString`, i.e. RFC 8785 section 3.2.2.3). Before handing a value to it we
//! refuse what the spec refuses and what a second implementation could write
//! differently: non-finite numbers (serde_json cannot hold them anyway), -0,
//! and numbers whose magnitude exceeds 2^53, where integers stop being exact
//! in IEEE 754 doubles.

use serde_json::{Number, Value};

/// The largest magnitude a ledger number may have: 2^53.
pub const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

/// Why a value has no canonical form in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonicalError {
    /// A number that is NaN or infinite.
    #[error("non-finite number at {path}")]
    NonFinite {
        /// JSON pointer of the number.
        path: String,
    },
    /// The number -0, which RFC 8785 would write as `0`.
    #[error("negative zero at {path}")]
    NegativeZero {
        /// JSON pointer of the number.
        path: String,
    },
    /// A number above 2^53 in magnitude.
    #[error("number {number} at {path} exceeds 2^53 in magnitude")]
    TooLarge {
        /// JSON pointer of the number.
        path: String,
        /// The number as written.
        number: String,
    },
    /// The serialiser failed (not expected for a checked value).
    #[error("canonical serialisation failed: {0}")]
    Serialise(String),
}

/// Checks that every number in `value` is one the ledger accepts.
pub fn check_numbers(value: &Value) -> Result<(), CanonicalError> {
    check_at(value, &mut String::new())
}

fn check_at(value: &Value, path: &mut String) -> Result<(), CanonicalError> {
    match value {
        Value::Number(number) => check_number(number, path),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("/{i}"));
                check_at(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                // JSON pointer escaping (RFC 6901) so that paths stay unambiguous.
                path.push('/');
                path.push_str(&key.replace('~', "~0").replace('/', "~1"));
                check_at(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Null | Value::Bool(_) | Value::String(_) => Ok(()),
    }
}

fn check_number(number: &Number, path: &str) -> Result<(), CanonicalError> {
    let path = || {
        if path.is_empty() {
            "/".to_owned()
        } else {
            path.to_owned()
        }
    };
    if let Some(i) = number.as_i64() {
        if i.unsigned_abs() > 1 << 53 {
            return Err(CanonicalError::TooLarge {
                path: path(),
                number: number.to_string(),
            });
        }
        return Ok(());
    }
    if let Some(u) = number.as_u64() {
        if u > 1 << 53 {
            return Err(CanonicalError::TooLarge {
                path: path(),
                number: number.to_string(),
            });
        }
        return Ok(());
    }
    let Some(f) = number.as_f64() else {
        return Err(CanonicalError::NonFinite { path: path() });
    };
    if !f.is_finite() {
        return Err(CanonicalError::NonFinite { path: path() });
    }
    if f == 0.0 && f.is_sign_negative() {
        return Err(CanonicalError::NegativeZero { path: path() });
    }
    if f.abs() > MAX_EXACT {
        return Err(CanonicalError::TooLarge {
            path: path(),
            number: number.to_string(),
        });
    }
    Ok(())
}

/// The RFC 8785 canonical UTF-8 bytes of `value`, after [`check_numbers`].
pub fn to_canonical_bytes(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    check_numbers(value)?;
    serde_json_canonicalizer::to_vec(value).map_err(|e| CanonicalError::Serialise(e.to_string()))
}

/// Checks a number the caller is about to put into a value (a quantity).
pub fn check_f64(value: f64) -> Result<(), CanonicalError> {
    if !value.is_finite() {
        return Err(CanonicalError::NonFinite { path: "/".into() });
    }
    if value == 0.0 && value.is_sign_negative() {
        return Err(CanonicalError::NegativeZero { path: "/".into() });
    }
    if value.abs() > MAX_EXACT {
        return Err(CanonicalError::TooLarge {
            path: "/".into(),
            number: value.to_string(),
        });
    }
    Ok(())
}

/// RFC 8785 appendix B: IEEE 754 doubles (as hex bits) and their
/// canonical text; shared with the Python verifier's test.
#[doc(hidden)]
pub const RFC_8785_NUMBERS: &[(&str, &str)] = &[
    ("0000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
];

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn canon(value: Value) -> String {
        String::from_utf8(to_canonical_bytes(&value).expect("canonical")).expect("utf-8")
    }

    #[test]
    fn keys_are_sorted_by_utf16_code_units_and_whitespace_removed() {
        // RFC 8785 section 3.2.3: "\u{20ac}" (U+20AC) sorts before "\u{1d11e}"
        // (a surrogate pair D834 DD1E) in UTF-16 but after it in UTF-8.
        let value = json!({"b": 1, "a": [true, null], "\u{1d11e}": 0, "\u{20ac}": 0});
        assert_eq!(
            canon(value),
            "{\"a\":[true,null],\"b\":1,\"\u{20ac}\":0,\"\u{1d11e}\":0}"
        );
    }

    #[test]
    fn numbers_are_written_as_ecmascript_does() {
        // RFC 8785 section 3.2.2.3 and its appendix B examples.
        let cases = [
            (json!(1.0), "1"),
            (json!(100), "100"),
            (json!(0.000001), "0.000001"),
            (json!(1e-7), "1e-7"),
            (json!(1e21), "1e+21"),
            (json!(123456789012345680000.0), "123456789012345680000"),
            (json!(4.5), "4.5"),
            (json!(0.1), "0.1"),
            (json!(-2.5), "-2.5"),
        ];
        for (value, text) in cases {
            let value_text = value.to_string();
            // 1e21 is above 2^53: check the writer alone for it.
            let written = serde_json_canonicalizer::to_string(&value).expect("canonical");
            assert_eq!(written, text, "{value_text}");
        }
        assert_eq!(canon(json!(9007199254740992_u64)), "9007199254740992");
    }

    #[test]
    fn the_writer_agrees_with_rfc_8785_appendix_b() {
        for (bits, text) in RFC_8785_NUMBERS {
            let value = f64::from_bits(u64::from_str_radix(bits, 16).expect("hex bits"));
            let written = serde_json_canonicalizer::to_string(&value).expect("canonical");
            assert_eq!(&written, text, "{bits}");
        }
    }

    #[test]
    fn strings_escape_only_what_rfc_8785_requires() {
        assert_eq!(
            canon(json!("a\"b\\c\n\u{1}\u{7f}é")),
            "\"a\\\"b\\\\c\\n\\u0001\u{7f}é\""
        );
    }

    #[test]
    fn refuses_negative_zero_and_large_numbers() {
        assert!(matches!(
            to_canonical_bytes(&json!({"q": -0.0})),
            Err(CanonicalError::NegativeZero { path }) if path == "/q"
        ));
        assert!(matches!(
            to_canonical_bytes(&json!({"q": [1, 9007199254740993_u64]})),
            Err(CanonicalError::TooLarge { path, .. }) if path == "/q/1"
        ));
        assert!(matches!(
            to_canonical_bytes(&json!(-9007199254740993_i64)),
            Err(CanonicalError::TooLarge { .. })
        ));
        assert!(matches!(
            to_canonical_bytes(&json!(1e300)),
            Err(CanonicalError::TooLarge { .. })
        ));
        assert!(check_f64(f64::NAN).is_err());
        assert!(check_f64(f64::INFINITY).is_err());
        assert!(check_f64(-0.0).is_err());
        assert!(check_f64(12.5).is_ok());
    }
}
