//! The contracts are files, generated from the code: they must not drift.

fn repo_file(path: &str) -> String {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|_| {
        panic!(
            "{} is missing: run `cargo run -- export-schema`",
            full.display()
        )
    })
}

#[test]
fn the_checked_in_graphql_schema_matches_the_code() {
    assert!(
        repo_file("schema/schema.graphql") == kiosque::graphql::sdl(),
        "schema/schema.graphql is out of date: run `cargo run -- export-schema` and commit it"
    );
}

#[test]
fn the_checked_in_openapi_matches_the_code() {
    assert!(
        repo_file("openapi.yaml") == kiosque::rest::openapi::openapi_yaml(),
        "openapi.yaml is out of date: run `cargo run -- export-schema` and commit it"
    );
}
