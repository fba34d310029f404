//! Property tests of the two sanitisers, and a named corpus of known XSS payloads.
//!
//! - Comments (`content::comments::posting::plain_text`) are plain text: whatever comes in,
//!   what goes out holds no markup at all (no tag, so no script and no event handler, even
//!   for a client that forgets to escape it), and cleaning it again changes nothing.
//! - Article bodies (`content::markdown::render`) are sanitised HTML: no script-bearing
//!   element, no `on…` attribute, no `javascript:` (nor `vbscript:`/`data:`) URL, and
//!   sanitising the HTML again changes nothing.
//!
//! Inputs are built from fragments that attackers use (tags, entities, quotes, schemes)
//! mixed with arbitrary characters. 10,000 cases each by default; `PROPTEST_CASES=N` for
//! more.

use kiosque::content::comments::posting::plain_text;
use kiosque::content::markdown::{render, sanitize};
use proptest::prelude::*;

// The checkers, shared with the fuzz targets (fuzz/fuzz_targets/).
#[path = "oracle/html.rs"]
mod oracle;
use oracle::{html_fault, markup_in};
// The named XSS corpus, shared with the feed tests (tests/api/syndication.rs).
#[path = "oracle/xss.rs"]
mod xss;
use xss::XSS_PAYLOADS;

const FRAGMENTS: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "&",
    ";",
    "#",
    "\"",
    "'",
    "`",
    "=",
    " ",
    "\n",
    "\r",
    "\t",
    "\0",
    "\n<pre>\n\n\n",
    "&lt;",
    "&gt;",
    "&amp;",
    "&quot;",
    "&#60;",
    "&#x3C;",
    "&#x3c",
    "&lt",
    "&#0000060",
    "<script>",
    "</script>",
    "<script src=//evil.example/x.js>",
    "<SCRIPT>",
    "<scr<script>ipt>",
    "script",
    "alert(1)",
    "javascript:",
    "JaVaScRiPt:",
    "java\tscript:",
    "&#106;avascript:",
    "vbscript:",
    "data:text/html,",
    "<img src=x onerror=alert(1)>",
    "onerror=",
    "onload=",
    " onclick=\"",
    "<svg onload=alert(1)>",
    "<a href=\"",
    "<a href='javascript:alert(1)'>",
    "\">",
    "<iframe src=",
    "<object data=",
    "<embed src=",
    "<style>",
    "</style>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<?xml",
    "<math>",
    "<form action=",
    "<input ",
    "<base href=",
    "<meta http-equiv=refresh content=",
    "<p>",
    "</p>",
    "<b>",
    "<div ",
    "[lien](",
    "](javascript:alert(1))",
    "![img](",
    "<http://a.example/>",
    "<javascript:alert(1)>",
    "`code`",
    "```\n",
    "# ",
    "> ",
    "* ",
    "|a|b|\n|-|-|\n",
    "[^1]",
    "\\",
    "é",
    "«",
    "\u{a0}",
];

fn soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(FRAGMENTS).prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
        1 => "[a-z]{1,6}",
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}

fn check_comment(input: &str) -> Result<(), String> {
    let once = plain_text(input);
    if let Some(at) = markup_in(&once) {
        return Err(format!("markup at {at} in {once:?}"));
    }
    let twice = plain_text(&once);
    if twice != once {
        return Err(format!("not a fixed point: {once:?} became {twice:?}"));
    }
    Ok(())
}

fn check_markdown(input: &str) -> Result<(), String> {
    let html = render(input).html;
    if let Some(fault) = html_fault(&html) {
        return Err(format!("{fault} in {html:?}"));
    }
    let again = sanitize(&html);
    if again != html {
        return Err(format!("not a fixed point: {html:?} became {again:?}"));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn a_comment_never_keeps_markup_and_cleaning_it_twice_changes_nothing(input in soup()) {
        check_comment(&input).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn an_article_body_never_renders_script_handlers_or_script_urls(input in soup()) {
        check_markdown(&input).map_err(TestCaseError::fail)?;
    }
}

#[test]
fn known_xss_payloads_are_defused_in_comments_and_article_bodies() {
    let mut failures = Vec::new();
    for payload in XSS_PAYLOADS {
        if let Err(why) = check_comment(payload) {
            failures.push(format!("comment {payload:?}: {why}"));
        }
        if let Err(why) = check_markdown(payload) {
            failures.push(format!("article {payload:?}: {why}"));
        }
        // Inside prose too.
        let prose = format!("Bonjour,\n\nvoici {payload} et la suite.");
        if let Err(why) = check_markdown(&prose) {
            failures.push(format!("article prose {payload:?}: {why}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_html_checker_sees_what_it_must() {
    // The checks above are only as good as this scanner.
    assert!(html_fault("<p>ok <a href=\"https://a.example\" rel=\"noopener\">x</a></p>").is_none());
    assert!(html_fault("<script>alert(1)</script>").is_some());
    assert!(html_fault("<img src=\"x\" onerror=\"alert(1)\">").is_some());
    assert!(html_fault("<a href=\" JavaScript:alert(1)\">x</a>").is_some());
    assert!(html_fault("<a title=\"a > b\" href=\"https://a.example\">x</a>").is_none());
    assert!(html_fault("<pre><code>href=\"javascript:*</code></pre>").is_none());
    assert!(markup_in("a < b, 3<4? no: <b").is_some());
    assert!(markup_in("a < b && c > d").is_none());
    assert!(markup_in("x</y").is_some() && markup_in("<!-- x").is_some());
    assert!(markup_in("x</ <!").is_none());
}

#[test]
fn plain_prose_survives_the_comment_sanitiser() {
    // Fixing the fixed point must not eat what readers write.
    assert_eq!(plain_text("a < b && c > d"), "a < b && c > d");
    assert_eq!(plain_text("  « l'été »  "), "« l'été »");
    assert_eq!(plain_text("J'aime <3 ce texte"), "J'aime <3 ce texte");
    assert_eq!(plain_text("&lt;script&gt;alert(1)&lt;/script&gt;"), "");
}
