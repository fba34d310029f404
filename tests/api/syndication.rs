//! Feeds (RSS, Atom, JSON Feed) read back with a real feed parser, the printable article,
//! the sitemap (read with an XML reader) and robots.txt.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use kiosque::auth::Role;
use kiosque::seed::demo::fixtures as fx;
use reqwest::StatusCode;
use reqwest::header::{
    CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::oracle::html_fault;
use crate::xss::XSS_PAYLOADS;

const FORMATS: [(&str, &str); 3] = [
    ("rss", "application/rss+xml"),
    ("atom", "application/atom+xml"),
    ("json", "application/feed+json"),
];

/// GETs `path` with optional headers; returns the status, headers and body.
async fn fetch(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let mut request = app.client.get(app.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("request");
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.text().await.expect("body"))
}

/// A feed, parsed by `feed-rs`, after checking its status and content type.
async fn feed(
    app: &TestApp,
    format: &str,
    query: &str,
    headers: &[(&str, &str)],
) -> feed_rs::model::Feed {
    let (_, mime) = FORMATS.iter().find(|(f, _)| *f == format).expect("format");
    let (status, response_headers, body) =
        fetch(app, &format!("/v1/feeds/{format}{query}"), headers).await;
    assert_eq!(status, StatusCode::OK, "{format}{query}: {body}");
    let content_type = response_headers[CONTENT_TYPE].to_str().unwrap();
    assert!(content_type.starts_with(mime), "{content_type}");
    feed_rs::parser::parse(body.as_bytes())
        .unwrap_or_else(|e| panic!("{format}{query} does not parse: {e}\n{body}"))
}

async fn json_of(app: &TestApp, path: &str) -> Value {
    let (status, _, body) = fetch(app, path, &[]).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    serde_json::from_str(&body).expect("JSON")
}

fn time(value: &Value) -> DateTime<Utc> {
    value.as_str().expect("a time").parse().expect("RFC 3339")
}

/// The name of a category whatever the format (Atom keeps it in `label`).
fn category_names(entry: &feed_rs::model::Entry) -> BTreeSet<String> {
    entry
        .categories
        .iter()
        .map(|c| c.label.clone().unwrap_or_else(|| c.term.clone()))
        .collect()
}

/// What a reader shows of a text field: plain text as is, the text of HTML (whose markup
/// a standfirst never has: it is escaped plain text) with its entities decoded.
fn shown_text(text: &feed_rs::model::Text) -> String {
    if text.content_type.essence().to_string() == "text/html" {
        text.content
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    } else {
        text.content.clone()
    }
}

fn slug_of_link(entry: &feed_rs::model::Entry) -> String {
    let href = &entry.links.first().expect("a link").href;
    href.rsplit('/').next().expect("a slug").to_owned()
}

/// An admin account and its token.
async fn admin(app: &TestApp) -> String {
    app.user(Role::Admin, "Ada Admin", None).await.token
}

/// A partner key with these scopes, created through the REST door by `admin`.
async fn partner_key(app: &TestApp, admin: &str, scopes: &[&str]) -> String {
    let response = app
        .client
        .post(app.url("/v1/api-keys"))
        .bearer_auth(admin)
        .json(&json!({ "name": "Partenaire", "scopes": scopes }))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    created["data"]["key"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn feeds_in_three_formats_carry_the_latest_published_articles_and_their_metadata() {
    let app = TestApp::spawn().await;
    let list = json_of(&app, "/v1/articles?first=100").await;
    let expected = list["data"].as_array().unwrap();
    let base = format!("http://{}", app.addr);
    // Tags come with each article's page.
    let mut tags: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for article in expected.iter().take(5) {
        let slug = article["slug"].as_str().unwrap();
        let page = json_of(&app, &format!("/v1/articles/{slug}?include=tags")).await;
        let mut names: BTreeSet<String> = page["data"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect();
        names.insert(article["rubric"]["name"].as_str().unwrap().to_owned());
        tags.insert(slug.to_owned(), names);
    }
    for (format, _) in FORMATS {
        let parsed = feed(&app, format, "?limit=100", &[]).await;
        assert_eq!(
            parsed.title.as_ref().map(|t| t.content.as_str()),
            Some("Kiosque")
        );
        assert_eq!(parsed.entries.len(), expected.len(), "{format}");
        for (entry, article) in parsed.entries.iter().zip(expected) {
            let slug = article["slug"].as_str().unwrap();
            assert_eq!(slug_of_link(entry), slug, "{format}: newest first");
            assert_eq!(
                entry.links[0].href,
                format!("{base}/v1/articles/{slug}"),
                "{format}: absolute link"
            );
            assert_eq!(
                entry.id,
                format!("urn:kiosque:{}", article["id"].as_str().unwrap())
            );
            assert_eq!(
                entry.title.as_ref().unwrap().content,
                article["title"].as_str().unwrap()
            );
            assert_eq!(
                shown_text(entry.summary.as_ref().unwrap()).trim(),
                article["standfirst"].as_str().unwrap().trim(),
                "{format}: the standfirst is the summary"
            );
            let authors: Vec<&str> = entry.authors.iter().map(|p| p.name.as_str()).collect();
            let byline: Vec<&str> = article["authors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["name"].as_str().unwrap())
                .collect();
            assert_eq!(authors, byline, "{format}: the byline in order");
            let published = time(&article["published_at"]);
            assert_eq!(
                entry.published.map(|p| p.timestamp()),
                Some(published.timestamp()),
                "{format}: publication date"
            );
            if format != "rss" {
                let updated = published.max(time(&article["updated_at"]));
                assert_eq!(
                    entry.updated.map(|p| p.timestamp()),
                    Some(updated.timestamp()),
                    "{format}: last change"
                );
            }
            if let Some(expected_tags) = tags.get(slug) {
                assert_eq!(
                    &category_names(entry),
                    expected_tags,
                    "{format}: rubric and tags"
                );
            }
        }
        let slugs: Vec<String> = parsed.entries.iter().map(slug_of_link).collect();
        for hidden in [fx::DRAFT_SLUG, fx::SCHEDULED_SLUG] {
            assert!(!slugs.iter().any(|s| s == hidden), "{format}: {hidden}");
        }
    }
}

#[tokio::test]
async fn anonymous_readers_get_summaries_and_partners_with_feeds_read_get_bodies() {
    let app = TestApp::spawn().await;
    let latest = json_of(&app, "/v1/articles?first=1").await;
    let slug = latest["data"][0]["slug"].as_str().unwrap().to_owned();
    let page = json_of(&app, &format!("/v1/articles/{slug}")).await;
    let body_html = page["data"]["body"]["html"]
        .as_str()
        .unwrap()
        .trim()
        .to_owned();
    let standfirst = page["data"]["standfirst"].as_str().unwrap().to_owned();
    let admin = admin(&app).await;
    let full_key = partner_key(&app, &admin, &["feeds:read"]).await;
    let other_key = partner_key(&app, &admin, &["comments:read"]).await;
    let staff = app.token(Role::Editor).await;
    let bearer = format!("Bearer {staff}");
    for (format, _) in FORMATS {
        let content = |f: &feed_rs::model::Feed| f.entries[0].content.clone();
        let anonymous = feed(&app, format, "?limit=1", &[]).await;
        let without_scope = feed(&app, format, "?limit=1", &[("x-api-key", &other_key)]).await;
        for summary_only in [&anonymous, &without_scope] {
            match content(summary_only) {
                None => {}
                Some(c) => {
                    assert_eq!(c.content_type.to_string(), "text/plain", "{format}");
                    assert_eq!(c.body.as_deref().map(str::trim), Some(standfirst.trim()));
                }
            }
        }
        for full in [
            feed(&app, format, "?limit=1", &[("x-api-key", &full_key)]).await,
            feed(&app, format, "?limit=1", &[("authorization", &bearer)]).await,
        ] {
            let c = content(&full).unwrap_or_else(|| panic!("{format}: a full entry"));
            assert_eq!(c.content_type.to_string(), "text/html", "{format}");
            assert_eq!(c.body.as_deref().map(str::trim), Some(body_html.as_str()));
        }
    }
    let (status, _, _) = fetch(&app, "/v1/feeds/rss", &[("x-api-key", "kq_nope")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a bad key is refused");
}

#[tokio::test]
async fn feeds_filter_by_rubric_author_and_tag() {
    let app = TestApp::spawn().await;
    for (format, _) in FORMATS {
        let rubric = feed(&app, format, &format!("?rubric={}", fx::RUBRIC_SLUG), &[]).await;
        assert_eq!(rubric.entries.len(), 10, "{format}: the rubric's articles");
        assert!(rubric.title.unwrap().content.contains("International"));
        for entry in &rubric.entries {
            assert!(category_names(entry).contains("International"), "{format}");
        }
        let author = feed(&app, format, &format!("?author={}", fx::AUTHOR_SLUG), &[]).await;
        assert_eq!(author.entries.len(), 8, "{format}: the author's articles");
        for entry in &author.entries {
            assert!(
                entry.authors.iter().any(|p| p.name == "Claire Vasseur"),
                "{format}"
            );
        }
        let tag = feed(&app, format, &format!("?tag={}", fx::TAG_SLUG), &[]).await;
        assert_eq!(tag.entries.len(), 10, "{format}: the tag's articles");
        for entry in &tag.entries {
            assert!(category_names(entry).contains("Diplomatie"), "{format}");
        }
        let short = feed(&app, format, "?limit=3", &[]).await;
        assert_eq!(short.entries.len(), 3, "{format}: limit");
    }
}

#[tokio::test]
async fn unknown_subjects_are_404_and_bad_limits_422() {
    let app = TestApp::spawn().await;
    for query in ["?rubric=nulle-part", "?author=personne", "?tag=rien"] {
        let (status, headers, body) = fetch(&app, &format!("/v1/feeds/atom{query}"), &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{query}");
        assert!(
            headers[CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/problem+json")
        );
        let problem: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(problem["code"], "NOT_FOUND");
    }
    for limit in ["0", "-1", "101", "beaucoup"] {
        let (status, _, body) = fetch(&app, &format!("/v1/feeds/json?limit={limit}"), &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{limit}");
        let problem: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(problem["field"], "limit", "{limit}");
    }
}

#[tokio::test]
async fn feeds_answer_conditional_requests_with_304() {
    let app = TestApp::spawn().await;
    let admin = admin(&app).await;
    let key = partner_key(&app, &admin, &["feeds:read"]).await;
    for (format, _) in FORMATS {
        let path = format!("/v1/feeds/{format}?rubric={}", fx::RUBRIC_SLUG);
        let (status, headers, _) = fetch(&app, &path, &[]).await;
        assert_eq!(status, StatusCode::OK);
        let etag = headers[ETAG].to_str().unwrap().to_owned();
        assert!(etag.starts_with('"'), "a strong ETag: {etag}");
        let cache = headers[CACHE_CONTROL].to_str().unwrap();
        assert!(
            cache.starts_with("public") && cache.contains("stale-while-revalidate"),
            "{cache}"
        );
        let modified = headers[LAST_MODIFIED].to_str().unwrap().to_owned();
        let (status, headers, body) = fetch(&app, &path, &[("if-none-match", &etag)]).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{format}: If-None-Match");
        assert!(body.is_empty());
        assert_eq!(headers[ETAG].to_str().unwrap(), etag);
        let (status, _, _) = fetch(&app, &path, &[(IF_MODIFIED_SINCE.as_str(), &modified)]).await;
        assert_eq!(
            status,
            StatusCode::NOT_MODIFIED,
            "{format}: If-Modified-Since"
        );
        let (status, _, _) = fetch(
            &app,
            &path,
            &[(IF_MODIFIED_SINCE.as_str(), "Mon, 01 Jan 2001 00:00:00 GMT")],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{format}: modified since 2001");
        let (status, _, _) = fetch(&app, &path, &[(IF_NONE_MATCH.as_str(), "\"autre\"")]).await;
        assert_eq!(status, StatusCode::OK, "{format}: another ETag");
        let (_, private, _) = fetch(&app, &path, &[("x-api-key", &key)]).await;
        assert_ne!(private[ETAG].to_str().unwrap(), etag, "full bodies differ");
        assert!(
            private[CACHE_CONTROL]
                .to_str()
                .unwrap()
                .starts_with("private")
        );
    }
}

#[tokio::test]
async fn a_feed_costs_the_same_few_statements_at_any_length() {
    let app = TestApp::spawn().await;
    let mut costs = Vec::new();
    for limit in [2, 50] {
        let before = app.statements();
        feed(
            &app,
            "rss",
            &format!("?limit={limit}&rubric={}", fx::RUBRIC_SLUG),
            &[],
        )
        .await;
        costs.push(app.statements() - before);
    }
    assert_eq!(costs[0], costs[1], "{costs:?}");
    assert!(costs[0] <= 3, "{costs:?}");
}

/// Creates and publishes an article through the editorial API; returns its slug.
async fn publish(app: &TestApp, input: Value) -> String {
    let editor = app.token(Role::Editor).await;
    let created: Value = app
        .client
        .post(app.url("/v1/articles"))
        .bearer_auth(&editor)
        .json(&input)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON");
    let id = created["data"]["id"].as_str().expect("created").to_owned();
    let response = app
        .client
        .post(app.url(&format!("/v1/articles/{id}/publish")))
        .bearer_auth(&editor)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    created["data"]["slug"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_printable_page_is_escaped_self_contained_and_strict() {
    let app = TestApp::spawn().await;
    let title = r#"<script>alert("titre")</script> L'été & "nous""#;
    let slug = publish(
        &app,
        json!({
            "title": title,
            "slug": "une-page-a-imprimer",
            "standfirst": "Un chapeau <b>gras</b> & \"cité\".",
            "body": "## Intertitre\n\nUn paragraphe.\n\n<script>alert(1)</script>",
            "language": "en",
            "rubric": fx::RUBRIC_SLUG,
            "authors": [fx::AUTHOR_SLUG],
            "sources": [
                { "name": "Rapport <annuel>", "url": "https://example.org/rapport?a=1&b=2" },
                { "name": "Entretien", "url": null }
            ]
        }),
    )
    .await;
    let (status, headers, html) = fetch(&app, &format!("/v1/articles/{slug}/print"), &[]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(headers[CONTENT_TYPE], "text/html; charset=utf-8");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    assert!(csp.contains("style-src 'sha256-"), "{csp}");
    assert!(!csp.contains("script-src"), "{csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"en\">"));
    assert!(!html.to_lowercase().contains("<script"), "{html}");
    assert!(html.contains(
        "<title>&lt;script&gt;alert(&quot;titre&quot;)&lt;/script&gt; L&#39;été &amp; &quot;nous&quot;</title>"
    ));
    assert!(html.contains("<h1>&lt;script&gt;"));
    assert!(html.contains("Un chapeau &lt;b&gt;gras&lt;/b&gt; &amp; &quot;cité&quot;."));
    assert!(html.contains("<h2>Intertitre</h2>"), "the body HTML");
    assert!(html.contains("Claire Vasseur"), "the byline");
    assert!(html.contains("International"), "the rubric");
    assert!(html.contains("<time datetime=\""), "the date");
    assert!(html.contains(
        "<a href=\"https://example.org/rapport?a=1&amp;b=2\">Rapport &lt;annuel&gt;</a>"
    ));
    assert!(html.contains("<li>Entretien</li>"));
    let canonical = format!("http://{}/v1/articles/{slug}", app.addr);
    assert!(html.contains(&format!("<link rel=\"canonical\" href=\"{canonical}\">")));
    assert!(!html.contains("<link rel=\"stylesheet\""), "self-contained");
    // The stylesheet is the one the policy's hash allows.
    let style = html
        .split("<style>")
        .nth(1)
        .and_then(|rest| rest.split("</style>").next())
        .expect("an inline stylesheet");
    use base64::Engine;
    use sha2::Digest;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(style));
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
    // The feeds carry the same title, escaped by their writers and read back intact.
    for (format, _) in FORMATS {
        let latest = feed(&app, format, "?limit=1", &[]).await;
        assert_eq!(slug_of_link(&latest.entries[0]), slug, "{format}");
        assert_eq!(latest.entries[0].title.as_ref().unwrap().content, title);
    }
}

#[tokio::test]
async fn drafts_have_no_printable_page_and_a_printed_page_answers_304() {
    let app = TestApp::spawn().await;
    for slug in [fx::DRAFT_SLUG, fx::SCHEDULED_SLUG, "inconnu"] {
        let (status, _, _) = fetch(&app, &format!("/v1/articles/{slug}/print"), &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{slug}");
    }
    let path = format!("/v1/articles/{}/print", fx::COMMENTED_SLUG);
    let (status, headers, html) = fetch(&app, &path, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<html lang=\"fr\">"));
    let etag = headers[ETAG].to_str().unwrap().to_owned();
    let (status, _, _) = fetch(&app, &path, &[("if-none-match", &etag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
}

/// The root element of an XML document and the `(loc, lastmod)` of its entries.
fn read_sitemap(xml: &str) -> (String, Vec<(String, Option<String>)>) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut root, mut entries, mut path) = (String::new(), Vec::new(), Vec::<String>::new());
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                let name = String::from_utf8(e.local_name().as_ref().to_vec()).unwrap();
                if root.is_empty() {
                    root = name.clone();
                }
                if name == "url" || name == "sitemap" {
                    entries.push((String::new(), None));
                }
                path.push(name);
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Text(text) => {
                // Sitemap URLs here carry no entity, so the raw text is the value.
                let text = text.decode().expect("UTF-8").into_owned();
                let last = entries.last_mut();
                match (path.last().map(String::as_str), last) {
                    (Some("loc"), Some(entry)) => entry.0.push_str(&text),
                    (Some("lastmod"), Some(entry)) => entry.1 = Some(text),
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (root, entries)
}

async fn visible_article_slugs(app: &TestApp) -> BTreeSet<String> {
    let list = json_of(app, "/v1/articles?first=100").await;
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["slug"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_sitemap_lists_rubrics_authors_and_every_published_article() {
    let app = TestApp::spawn().await;
    let (status, headers, xml) = fetch(&app, "/sitemap.xml", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/xml")
    );
    let (root, entries) = read_sitemap(&xml);
    assert_eq!(root, "urlset");
    let base = format!("http://{}", app.addr);
    let articles: BTreeMap<String, Option<String>> = entries
        .iter()
        .filter_map(|(loc, lastmod)| {
            loc.strip_prefix(&format!("{base}/v1/articles/"))
                .map(|slug| (slug.to_owned(), lastmod.clone()))
        })
        .collect();
    let expected = visible_article_slugs(&app).await;
    assert_eq!(
        articles.keys().cloned().collect::<BTreeSet<_>>(),
        expected,
        "every published article, no draft, nothing scheduled"
    );
    for lastmod in articles.values() {
        let lastmod = lastmod.as_deref().expect("a lastmod");
        DateTime::parse_from_rfc3339(lastmod).expect("a W3C datetime");
    }
    let rubric = format!("{base}/v1/rubrics/{}", fx::RUBRIC_SLUG);
    let author = format!("{base}/v1/authors/{}", fx::AUTHOR_SLUG);
    assert!(entries.iter().any(|(loc, _)| *loc == rubric));
    assert!(entries.iter().any(|(loc, _)| *loc == author));
    let etag = headers[ETAG].to_str().unwrap().to_owned();
    let (status, _, _) = fetch(&app, "/sitemap.xml", &[("if-none-match", &etag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn a_sitemap_past_its_file_size_becomes_an_index_of_files() {
    let small = TestApp::spawn_with(|config| config.sitemap_urls_per_file = 10).await;
    let (_, _, whole) = fetch(&small, "/sitemap.xml", &[]).await;
    let (root, files) = read_sitemap(&whole);
    assert_eq!(root, "sitemapindex");
    let mut locs = Vec::new();
    for (n, (file, _)) in files.iter().enumerate() {
        let path = file
            .strip_prefix(&format!("http://{}", small.addr))
            .expect("an absolute URL");
        assert_eq!(path, format!("/sitemap-{}.xml", n + 1));
        let (status, _, xml) = fetch(&small, path, &[]).await;
        assert_eq!(status, StatusCode::OK);
        let (root, entries) = read_sitemap(&xml);
        assert_eq!(root, "urlset");
        assert!(entries.len() <= 10 && !entries.is_empty(), "{path}");
        locs.extend(entries.into_iter().map(|(loc, _)| loc));
    }
    let unique: BTreeSet<&String> = locs.iter().collect();
    assert_eq!(unique.len(), locs.len(), "no URL twice");
    assert_eq!(locs.len().div_ceil(10), files.len());
    let articles = locs.iter().filter(|l| l.contains("/v1/articles/")).count();
    assert_eq!(articles, visible_article_slugs(&small).await.len());
    for path in [
        format!("/sitemap-{}.xml", files.len() + 1),
        "/sitemap-0.xml".into(),
        "/sitemap-x.xml".into(),
    ] {
        let (status, _, _) = fetch(&small, &path, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn robots_txt_keeps_crawlers_out_of_graphql_and_staff_endpoints() {
    let app = TestApp::spawn().await;
    let (status, headers, text) = fetch(&app, "/robots.txt", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let lines: Vec<&str> = text.lines().collect();
    for rule in [
        "User-agent: *",
        "Allow: /",
        "Disallow: /graphql",
        "Disallow: /v1/moderation/",
        "Disallow: /v1/users",
        "Disallow: /v1/api-keys",
    ] {
        assert!(lines.contains(&rule), "{rule}\n{text}");
    }
    assert!(lines.contains(&format!("Sitemap: http://{}/sitemap.xml", app.addr).as_str()));
}

/// What in a parsed feed a reader would run: a field it renders as HTML (feed-rs tells
/// which) that fails the property tests' HTML checker, or a link that is not http(s).
fn script_in(format: &str, feed: &feed_rs::model::Feed) -> Vec<String> {
    let mut faults = Vec::new();
    let check = |what: String, content_type: String, content: &str| {
        if content_type != "text/plain"
            && let Some(fault) = html_fault(content)
        {
            Some(format!("{format} {what}: {fault} in {content:?}"))
        } else {
            None
        }
    };
    for (what, text) in [("title", &feed.title), ("description", &feed.description)] {
        if let Some(t) = text {
            let kind = t.content_type.essence().to_string();
            faults.extend(check(format!("feed {what}"), kind, &t.content));
        }
    }
    for (i, entry) in feed.entries.iter().enumerate() {
        for (what, text) in [("title", &entry.title), ("summary", &entry.summary)] {
            if let Some(t) = text {
                let kind = t.content_type.essence().to_string();
                faults.extend(check(format!("entry {i} {what}"), kind, &t.content));
            }
        }
        if let Some(content) = &entry.content
            && let Some(body) = &content.body
        {
            let kind = content.content_type.essence().to_string();
            faults.extend(check(format!("entry {i} content"), kind, body));
        }
        let links = entry.links.iter().map(|l| l.href.as_str());
        let authors = entry.authors.iter().filter_map(|p| p.uri.as_deref());
        for href in links.chain(authors) {
            if !(href.starts_with("http://") || href.starts_with("https://")) {
                faults.push(format!("{format} entry {i}: the link {href:?}"));
            }
        }
    }
    faults
}

/// POSTs `body` to `path` as `token`; returns the status and the JSON answer.
async fn post_as(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn hostile_markup_in_any_article_field_reaches_no_feed_as_markup() {
    let app = TestApp::spawn().await;
    let editor = app.token(Role::Editor).await;
    let name = "<img src=x onerror=alert(1)> Ève <a href=\"javascript:alert(1)\">x</a>";
    let (status, body) = post_as(
        &app,
        &editor,
        "/v1/authors",
        json!({ "name": name, "slug": "eve-xss", "bio": "<script>alert('bio')</script>" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let tag = "<svg onload=alert(1)>";
    let (status, body) = post_as(
        &app,
        &editor,
        "/v1/tags",
        json!({ "name": tag, "slug": "tag-xss" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let title = "<script>alert(1)</script> Un titre <img src=x onerror=alert(2)>";
    let standfirst = "Chapeau <script>alert(3)</script> <img src=x onerror=alert(4)> \
        <a href=\"javascript:alert(5)\">lien</a> ]]><script>alert(6)</script> & l'été";
    publish(
        &app,
        json!({
            "title": title,
            "slug": "xss-partout",
            "standfirst": standfirst,
            "body": "Corps <script>alert(7)</script> [x](javascript:alert(8))",
            "rubric": fx::RUBRIC_SLUG,
            "authors": ["eve-xss"],
            "tags": ["tag-xss"]
        }),
    )
    .await;
    let admin = admin(&app).await;
    let partner = partner_key(&app, &admin, &["feeds:read"]).await;
    let mut faults = Vec::new();
    for (format, _) in FORMATS {
        for (query, headers) in [
            ("?limit=1", vec![]),
            ("?author=eve-xss", vec![]),
            (
                "?tag=tag-xss&limit=1",
                vec![("x-api-key", partner.as_str())],
            ),
        ] {
            let parsed = feed(&app, format, query, &headers).await;
            faults.extend(script_in(&format!("{format}{query}"), &parsed));
            let entry = &parsed.entries[0];
            assert_eq!(slug_of_link(entry), "xss-partout", "{format}{query}");
            // Plain-text fields are declared plain and read back as written.
            let title_field = entry.title.as_ref().expect("a title");
            assert_eq!(title_field.content_type.essence().to_string(), "text/plain");
            assert_eq!(title_field.content, title, "{format}{query}");
            let summary = entry.summary.as_ref().expect("a summary");
            assert_eq!(shown_text(summary), standfirst, "{format}{query}");
            let authors: Vec<&str> = entry.authors.iter().map(|p| p.name.as_str()).collect();
            assert_eq!(authors, [name], "{format}{query}");
            assert!(category_names(entry).contains(tag), "{format}{query}");
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}

#[tokio::test]
async fn the_xss_corpus_as_standfirsts_and_bodies_reaches_no_feed_as_markup() {
    let app = TestApp::spawn().await;
    let editor = app.token(Role::Editor).await;
    let mut published = BTreeSet::new();
    for (i, payload) in XSS_PAYLOADS.iter().enumerate() {
        let slug = format!("charge-{i}");
        let (status, body) = post_as(
            &app,
            &editor,
            "/v1/articles",
            json!({
                "title": format!("Charge {i}"),
                "slug": slug,
                "standfirst": payload,
                "body": format!("Bonjour,\n\nvoici {payload} et la suite."),
                "rubric": fx::RUBRIC_SLUG,
                "authors": [fx::AUTHOR_SLUG]
            }),
        )
        .await;
        // A payload the editorial rules refuse (a control character) never reaches a feed.
        if status == StatusCode::UNPROCESSABLE_ENTITY {
            continue;
        }
        assert_eq!(status, StatusCode::CREATED, "{payload:?}: {body}");
        let id = body["data"]["id"].as_str().expect("an id");
        let (status, body) = post_as(
            &app,
            &editor,
            &format!("/v1/articles/{id}/publish"),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{payload:?}: {body}");
        published.insert(slug);
    }
    assert!(published.len() + 3 >= XSS_PAYLOADS.len(), "{published:?}");
    let admin = admin(&app).await;
    let partner = partner_key(&app, &admin, &["feeds:read"]).await;
    let mut faults = Vec::new();
    for (format, _) in FORMATS {
        for headers in [vec![], vec![("x-api-key", partner.as_str())]] {
            let parsed = feed(&app, format, "?limit=100", &headers).await;
            let slugs: BTreeSet<String> = parsed.entries.iter().map(slug_of_link).collect();
            assert!(
                slugs.is_superset(&published),
                "{format}: every charge is in the feed"
            );
            faults.extend(script_in(format, &parsed));
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}
