//! Access-token decoding: arbitrary strings, and arbitrary headers and claims correctly
//! signed with the server's key (so that claim parsing and validation are reached). Never
//! panics; accepts only a token whose claims are all valid.
#![no_main]

use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey};
use kiosque::auth::jwt::Keys;
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "fuzzing secret, fuzzing secret";

static KEYS: LazyLock<Keys> = LazyLock::new(|| {
    Keys::new(
        SECRET,
        Some("previous fuzzing secret"),
        "kiosque",
        "kiosque-api",
        900,
    )
});

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        // The header value as it comes.
        if let Ok(token) = std::str::from_utf8(rest) {
            let _ = KEYS.verify(token);
        }
        return;
    }
    // `header JSON \0 claims JSON`, signed with the real key.
    let mut parts = rest.splitn(2, |b| *b == 0);
    let (Some(header), Some(claims)) = (parts.next(), parts.next()) else {
        return;
    };
    let message = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let Ok(signature) = jsonwebtoken::crypto::sign(
        message.as_bytes(),
        &EncodingKey::from_secret(SECRET.as_bytes()),
        Algorithm::HS256,
    ) else {
        return;
    };
    if let Ok(user) = KEYS.verify(&format!("{message}.{signature}")) {
        // Accepted: then its claims really are those of an access token.
        let claims: serde_json::Value = serde_json::from_slice(claims).expect("claims are JSON");
        assert_eq!(claims["typ"], "access");
        assert_eq!(claims["iss"], "kiosque");
        assert_eq!(user.id.to_string(), claims["sub"].as_str().expect("sub"));
        let header: serde_json::Value = serde_json::from_slice(header).expect("header is JSON");
        assert_eq!(header["alg"], "HS256");
    }
});
