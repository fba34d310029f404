//! The border between the core and the server, as Cargo sees it: the core's manifest names
//! no HTTP, server or GraphQL-execution crate (async-graphql only as an optional, derive-only
//! dependency behind the `graphql` feature). `.ci/run` also builds the core alone
//! (`cargo check -p kiosque-core`), which proves that no code of it needs the feature.

const FORBIDDEN: &[&str] = &[
    "axum",
    "hyper",
    "hyper-util",
    "tower",
    "tower-http",
    "http",
    "http-body-util",
    "async-graphql-axum",
    "clap",
    "reqwest",
    "jsonwebtoken",
    "prometheus-client",
];

fn dependencies() -> Vec<(String, String)> {
    let manifest = include_str!("../Cargo.toml");
    let mut section = String::new();
    let mut out = Vec::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            section = line.trim_matches(|c| c == '[' || c == ']').to_owned();
            continue;
        }
        if section != "dependencies" || line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((name, spec)) = line.split_once('=') {
            out.push((name.trim().to_owned(), spec.trim().to_owned()));
        }
    }
    out
}

#[test]
fn the_core_depends_on_no_http_or_server_crate() {
    let deps = dependencies();
    assert!(
        deps.iter().any(|(n, _)| n == "sea-orm"),
        "the manifest was read"
    );
    for (name, _) in &deps {
        assert!(
            !FORBIDDEN.contains(&name.as_str()),
            "kiosque-core must not depend on {name}"
        );
    }
}

#[test]
fn graphql_derives_are_optional() {
    let deps = dependencies();
    let (_, spec) = deps
        .iter()
        .find(|(n, _)| n == "async-graphql")
        .expect("async-graphql is listed for the derives");
    assert!(spec.contains("optional = true"), "{spec}");
}
