//! I5 at the real default limit: 20 MiB decoded is accepted, one byte more is rejected, and the
//! size comes from the base64 text's length and padding (no decoding of the image).

use agentrules::{check, Code};

/// Base64 of a PNG of exactly `n` bytes (signature, then zeros), built without a 20 MiB decode.
fn png_base64(n: usize) -> String {
    use base64::Engine;
    let sig = [0x89u8, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0];
    let mut bytes = sig.to_vec();
    bytes.resize(n, 0);
    base64::engine::general_purpose::STANDARD.encode(&bytes)
}

fn launch_with(data: &str) -> String {
    format!(r#"{{"prompt":{{"text":"look","images":[{{"media_type":"image/png","data":"{data}"}}]}}}}"#)
}

#[test]
fn exactly_20_mib_is_accepted() {
    let body = launch_with(&png_base64(20 * 1024 * 1024));
    let r = check("launch", &body, None).unwrap();
    assert!(r.ok, "{:?}", r.violations);
}

#[test]
fn one_byte_over_20_mib_is_too_large() {
    let body = launch_with(&png_base64(20 * 1024 * 1024 + 1));
    let r = check("launch", &body, None).unwrap();
    let codes: Vec<(String, Code)> = r.violations.iter().map(|v| (v.path.clone(), v.code)).collect();
    assert_eq!(codes, [("/prompt/images/0/data".to_string(), Code::ImageTooLarge)]);
    // The message states sizes, never the payload.
    assert!(r.violations[0].message.len() < 200);
}

#[test]
fn four_large_images_and_a_fifth() {
    let one = format!(r#"{{"media_type":"image/png","data":"{}"}}"#, png_base64(20 * 1024 * 1024));
    let body = format!(r#"{{"prompt":{{"text":"look","images":[{one},{one},{one},{one},{one}]}}}}"#);
    let r = check("launch", &body, None).unwrap();
    let codes: Vec<Code> = r.violations.iter().map(|v| v.code).collect();
    assert_eq!(codes, [Code::TooManyImages]);
}
