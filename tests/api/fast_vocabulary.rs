//! Every field the GraphQL fast path claims to serve (`kiosque::graphql::fast::VOCABULARY`)
//! exists in the schema with the arguments the fast path reads, and each one, with and
//! without each of its arguments, anonymous and as staff, answers byte for byte as the
//! general executor does.

use std::collections::HashMap;

use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use kiosque::auth::Role;
use kiosque::graphql::fast::VOCABULARY;
use kiosque::seed::demo::fixtures as fx;
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// The schema's object and input types: type → field → (named type, arguments with their
/// named types), and its enums: enum → values.
struct Schema {
    fields: HashMap<String, HashMap<String, (String, Vec<(String, String)>)>>,
    enums: HashMap<String, Vec<String>>,
}

fn named(ty: &Type) -> String {
    match &ty.base {
        BaseType::Named(name) => name.to_string(),
        BaseType::List(inner) => named(inner),
    }
}

fn schema() -> Schema {
    let doc = parse_schema(kiosque::graphql::sdl()).expect("the exported SDL parses");
    let mut fields = HashMap::new();
    let mut enums = HashMap::new();
    for def in doc.definitions {
        let TypeSystemDefinition::Type(ty) = def else {
            continue;
        };
        let ty = ty.node;
        let name = ty.name.node.to_string();
        match ty.kind {
            TypeKind::Object(object) => {
                let map = object
                    .fields
                    .iter()
                    .map(|f| {
                        let args = f
                            .node
                            .arguments
                            .iter()
                            .map(|a| (a.node.name.node.to_string(), named(&a.node.ty.node)))
                            .collect();
                        (f.node.name.node.to_string(), (named(&f.node.ty.node), args))
                    })
                    .collect();
                fields.insert(name, map);
            }
            TypeKind::InputObject(input) => {
                let map = input
                    .fields
                    .iter()
                    .map(|f| {
                        (
                            f.node.name.node.to_string(),
                            (named(&f.node.ty.node), Vec::new()),
                        )
                    })
                    .collect();
                fields.insert(name, map);
            }
            TypeKind::Enum(e) => {
                enums.insert(
                    name,
                    e.values
                        .iter()
                        .map(|v| v.node.value.node.to_string())
                        .collect(),
                );
            }
            _ => {}
        }
    }
    Schema { fields, enums }
}

impl Schema {
    /// The named type of `type_name.field` (`__typename` is a `String`).
    fn field_type(&self, type_name: &str, field: &str) -> String {
        if field == "__typename" {
            return "String".into();
        }
        self.fields[type_name][field].0.clone()
    }
}

/// A minimal selection under an object of this type (leaves have none).
fn sub_selection(type_name: &str) -> &'static str {
    match type_name {
        "Article" => "{ slug }",
        "Author" => "{ name }",
        "Rubric" => "{ slug }",
        "Comment" => "{ id }",
        "PageInfo" => "{ hasNextPage endCursor }",
        "ArticleConnection" | "CommentConnection" => "{ totalCount }",
        "ArticleEdge" | "CommentEdge" => "{ cursor }",
        _ => "",
    }
}

/// The places a selection on `type_name` can stand in a query the fast path serves:
/// `(before, after)` around the selection.
fn contexts(type_name: &str) -> Vec<(String, String)> {
    let slug = fx::COMMENTED_SLUG;
    let pairs: Vec<(String, &str)> = match type_name {
        "Query" => vec![("{".into(), "}")],
        "Article" => vec![
            (format!("{{ article(slug: \"{slug}\") {{"), "} }"),
            ("{ articles(first: 3) { nodes {".into(), "} } }"),
            (
                format!("{{ article(slug: \"{slug}\") {{ moreInRubric(first: 2) {{"),
                "} } }",
            ),
        ],
        "Author" => vec![(
            format!("{{ article(slug: \"{slug}\") {{ authors {{"),
            "} } }",
        )],
        "Rubric" => vec![("{ articles(first: 3) { nodes { rubric {".into(), "} } } }")],
        "Comment" => vec![(
            format!("{{ article(slug: \"{slug}\") {{ comments(first: 3) {{ nodes {{"),
            "} } } }",
        )],
        "PageInfo" => vec![
            ("{ articles(first: 2) { pageInfo {".into(), "} } }"),
            (
                format!("{{ article(slug: \"{slug}\") {{ comments(first: 2) {{ pageInfo {{"),
                "} } } }",
            ),
        ],
        "ArticleConnection" => vec![("{ articles(first: 2) {".into(), "} }")],
        "ArticleEdge" => vec![("{ articles(first: 2) { edges {".into(), "} } }")],
        "CommentConnection" => vec![(
            format!("{{ article(slug: \"{slug}\") {{ comments(first: 2) {{"),
            "} } }",
        )],
        "CommentEdge" => vec![(
            format!("{{ article(slug: \"{slug}\") {{ comments(first: 2) {{ edges {{"),
            "} } } }",
        )],
        other => panic!("the test does not know where a `{other}` stands: add its contexts"),
    };
    pairs.into_iter().map(|(a, b)| (a, b.to_owned())).collect()
}

/// Cursors issued by each connection, for `after` and `before`.
struct Cursors {
    articles: (String, String),
    comments: (String, String),
}

/// The values an argument is walked with (GraphQL literals).
fn samples(
    schema: &Schema,
    cursors: &Cursors,
    type_name: &str,
    field: &str,
    arg: &str,
) -> Vec<String> {
    let quoted = |s: &str| format!("\"{s}\"");
    let (start, end) = if type_name == "Article" {
        &cursors.comments
    } else {
        &cursors.articles
    };
    match (field, arg) {
        (_, "first") | (_, "last") => vec!["0".into(), "2".into(), "100".into()],
        (_, "after") => vec![quoted(end)],
        (_, "before") => vec![quoted(start)],
        ("article", "slug") => [
            fx::COMMENTED_SLUG,
            fx::DRAFT_SLUG,
            fx::SCHEDULED_SLUG,
            "no-such-article",
        ]
        .iter()
        .map(|s| quoted(s))
        .collect(),
        (_, "orderBy" | "format") => {
            let (_, args) = &schema.fields[type_name][field];
            let (_, ty) = args.iter().find(|(name, _)| name == arg).unwrap();
            schema.enums[ty.as_str()].clone()
        }
        ("articles", "filter") => {
            // One object per input field of the schema's `ArticleFilter`.
            let mut out = Vec::new();
            for (name, (ty, _)) in &schema.fields["ArticleFilter"] {
                let value = match (name.as_str(), ty.as_str()) {
                    ("rubric", _) => quoted(fx::RUBRIC_SLUG),
                    ("author", _) => quoted(fx::AUTHOR_SLUG),
                    ("tag", _) => quoted(fx::TAG_SLUG),
                    ("language", _) => quoted("en"),
                    ("publishedAfter", _) => quoted("2000-01-01T00:00:00Z"),
                    ("publishedBefore", _) => quoted("2999-01-01T00:00:00Z"),
                    (_, "ArticleStatus") => "DRAFT".into(),
                    (other, _) => panic!("no sample for ArticleFilter.{other}: add one"),
                };
                out.push(format!("{{ {name}: {value} }}"));
            }
            out
        }
        other => panic!("no sample for the argument {type_name}.{other:?}: add one"),
    }
}

async fn post(app: &TestApp, token: Option<&str>, query: &str) -> String {
    let mut request = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": query }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body")
}

#[tokio::test]
async fn every_field_the_fast_path_claims_is_the_schema_s_and_answers_as_the_executor() {
    let schema = schema();
    // 1. The vocabulary is the schema's: every type, field and argument exists there.
    for (type_name, fields) in VOCABULARY {
        let declared = schema.fields.get(*type_name).unwrap_or_else(|| {
            panic!("the fast path claims a type `{type_name}` the schema lacks")
        });
        for (field, args) in *fields {
            if *field == "__typename" {
                continue;
            }
            let (_, declared_args) = declared.get(*field).unwrap_or_else(|| {
                panic!("the fast path claims {type_name}.{field}, not in the schema")
            });
            for arg in *args {
                assert!(
                    declared_args.iter().any(|(a, _)| a == arg),
                    "the fast path reads {type_name}.{field}({arg}:), not in the schema"
                );
            }
        }
    }

    // 2. Each claimed field, alone, with and without each argument value, through both.
    let app = TestApp::spawn().await;
    let staff = app.token(Role::Editor).await;
    let page = app
        .query(
            &format!(
                "{{ articles(first: 4) {{ pageInfo {{ startCursor endCursor }} }}
                   article(slug: \"{}\") {{ comments(first: 4) {{ pageInfo {{ startCursor endCursor }} }} }} }}",
                fx::COMMENTED_SLUG
            ),
            json!({}),
        )
        .await;
    let cursor = |v: &Value, k: &str| v["pageInfo"][k].as_str().unwrap().to_owned();
    let cursors = Cursors {
        articles: (
            cursor(&page["articles"], "startCursor"),
            cursor(&page["articles"], "endCursor"),
        ),
        comments: (
            cursor(&page["article"]["comments"], "startCursor"),
            cursor(&page["article"]["comments"], "endCursor"),
        ),
    };
    let mut walked = 0;
    for (type_name, fields) in VOCABULARY {
        for (field, args) in *fields {
            let sub = sub_selection(&schema.field_type(type_name, field));
            let mut selections = vec![format!("{field} {sub}")];
            for arg in *args {
                for value in samples(&schema, &cursors, type_name, field, arg) {
                    selections.push(format!("{field}({arg}: {value}) {sub}"));
                }
            }
            for (before, after) in contexts(type_name) {
                for selection in &selections {
                    let query = format!("{before} {selection} {after}");
                    for token in [None, Some(staff.as_str())] {
                        let slow = post(&app, token, &query).await;
                        let hits = app.state.documents.fast_path_hits();
                        let fast = post(&app, token, &query).await;
                        let parsed: Value = serde_json::from_str(&slow).expect("JSON");
                        if parsed.get("errors").is_some() {
                            // Refused arguments (e.g. a page beyond the cap) stay with the
                            // executor, which reports them.
                            assert_eq!(app.state.documents.fast_path_hits(), hits, "{query}");
                            assert_eq!(slow, fast, "{query}");
                            continue;
                        }
                        assert_eq!(
                            app.state.documents.fast_path_hits() - hits,
                            1,
                            "the fast path did not take {query} (staff: {})",
                            token.is_some()
                        );
                        assert_eq!(
                            fast,
                            slow,
                            "the fast path's bytes differ from the executor's for {query} (staff: {})",
                            token.is_some()
                        );
                        walked += 1;
                    }
                }
            }
        }
    }
    println!("walked {walked} queries through both executors");
    assert!(walked > 100, "walked {walked} queries");
}
