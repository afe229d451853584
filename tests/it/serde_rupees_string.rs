//! `enkash::serde_rupees_string`: `Rupees` as a JSON string in the merchant's own types. It
//! round-trips exactly and refuses anything else without quoting it.

use enkash::Rupees;
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Line {
    #[serde(with = "enkash::serde_rupees_string")]
    price: Rupees,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Discount {
    #[serde(default, with = "enkash::serde_rupees_string::option")]
    cap: Option<Rupees>,
}

fn read(json: &str) -> Result<Rupees, String> {
    serde_json::from_str::<Line>(json)
        .map(|line| line.price)
        .map_err(|e| e.to_string())
}

#[test]
fn reads_amount_strings_exactly() {
    for (text, paise) in [
        ("1499.5", 149_950),
        ("1499.50", 149_950),
        ("0.01", 1),
        ("-20", -2_000),
        ("1000", 100_000),
        ("0", 0),
        ("92233720368547758.07", i64::MAX),
        ("-92233720368547758.08", i64::MIN),
    ] {
        assert_eq!(
            read(&format!(r#"{{"price": "{text}"}}"#)),
            Ok(Rupees::from_paise(paise)),
            "{text}"
        );
    }
}

#[test]
fn writes_two_decimals_in_a_string() {
    for (paise, text) in [(149_950, "1499.50"), (-5, "-0.05"), (100_000, "1000.00")] {
        assert_eq!(
            serde_json::to_string(&Line {
                price: Rupees::from_paise(paise)
            })
            .unwrap(),
            format!(r#"{{"price":"{text}"}}"#)
        );
    }
}

/// Garbage is refused with a message saying what is expected, never quoting what was given.
#[test]
fn refuses_garbage_without_repeating_it() {
    for (value, says) in [
        (r#""7,49.75""#, "write digits"),
        (r#""SECRET-4111111111111111""#, "write digits"),
        (r#""1.005""#, "more than two decimals"),
        (r#""1e3""#, "write digits"),
        (r#"" 12.50""#, "write digits"),
        (r#""NaN""#, "write digits"),
        (r#""""#, "the string is empty"),
        (r#""999999999999999999999""#, "out of range"),
        ("2499.5", "found a number"),
        ("149950", "found a number"),
        ("-3", "found a number"),
        ("true", "found a boolean"),
        ("null", "found null"),
        ("[\"1\"]", "found an array"),
        ("{\"v\": \"1\"}", "found a number or an object"),
    ] {
        let err = read(&format!(r#"{{"price": {value}}}"#)).unwrap_err();
        assert!(err.starts_with("not an amount of rupees"), "{value}: {err}");
        assert!(err.contains(says), "{value}: {err}");
        let bare = value.trim_matches('"');
        if !bare.is_empty() && bare != "null" {
            assert!(
                !err.contains(bare),
                "{value}: the message repeats it: {err}"
            );
        }
    }
}

#[test]
fn option_reads_null_missing_and_strings() {
    let read = |json: &str| serde_json::from_str::<Discount>(json).map(|d| d.cap);
    assert_eq!(
        read(r#"{"cap": "250.00"}"#).unwrap(),
        Some(Rupees::from_paise(25_000))
    );
    assert_eq!(read(r#"{"cap": null}"#).unwrap(), None);
    assert_eq!(read("{}").unwrap(), None);
    let err = read(r#"{"cap": "2,50"}"#).unwrap_err().to_string();
    assert!(err.starts_with("not an amount of rupees"), "{err}");
    assert!(!err.contains("2,50"), "{err}");

    let write = |cap| serde_json::to_string(&Discount { cap }).unwrap();
    assert_eq!(
        write(Some(Rupees::from_paise(25_000))),
        r#"{"cap":"250.00"}"#
    );
    assert_eq!(write(None), r#"{"cap":null}"#);
}

proptest! {
    /// Every amount `Rupees` holds survives the string form exactly.
    #[test]
    fn round_trips_every_amount(paise in any::<i64>()) {
        let line = Line { price: Rupees::from_paise(paise) };
        let json = serde_json::to_string(&line).unwrap();
        prop_assert_eq!(serde_json::from_str::<Line>(&json).unwrap(), line);
        let discount = Discount { cap: Some(Rupees::from_paise(paise)) };
        let json = serde_json::to_string(&discount).unwrap();
        prop_assert_eq!(serde_json::from_str::<Discount>(&json).unwrap(), discount);
    }
}
