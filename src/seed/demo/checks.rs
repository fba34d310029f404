//! What the data files must hold for the seed to replay them: references that exist, keys
//! and slugs given once, and times in an order that could have happened.

use std::collections::HashSet;

use chrono::Duration;

use super::data::Article;
use super::data::{CommentStatus, FrontMatter, Index, Offset, Status};

fn unique<'a>(what: &str, keys: impl Iterator<Item = &'a String>) -> Result<(), String> {
    let mut seen = HashSet::new();
    for key in keys {
        if !seen.insert(key) {
            return Err(format!("the {what} `{key}` is listed twice"));
        }
    }
    Ok(())
}

pub(super) fn index(index: &Index) -> Result<(), String> {
    unique("rubric", index.rubrics.iter().map(|r| &r.slug))?;
    unique("author", index.authors.iter().map(|a| &a.slug))?;
    unique("tag", index.tags.iter().map(|t| &t.slug))?;
    unique("source", index.sources.iter().map(|s| &s.key))?;
    unique("commenter", index.commenters.iter().map(|c| &c.key))?;
    for (i, rubric) in index.rubrics.iter().enumerate() {
        if let Some(parent) = &rubric.parent
            && !index.rubrics[..i].iter().any(|r| &r.slug == parent)
        {
            return Err(format!(
                "the parent of rubric `{}` is not a rubric listed before it",
                rubric.slug
            ));
        }
    }
    Ok(())
}

pub(super) fn article(index: &Index, article: &Article) -> Result<(), String> {
    let f = &article.front;
    if !index.rubrics.iter().any(|r| r.slug == f.rubric) {
        return Err(format!("no rubric `{}` in index.toml", f.rubric));
    }
    for author in &f.authors {
        if !index.authors.iter().any(|a| &a.slug == author) {
            return Err(format!("no author `{author}` in index.toml"));
        }
    }
    for tag in &f.tags {
        if !index.tags.iter().any(|t| &t.slug == tag) {
            return Err(format!("no tag `{tag}` in index.toml"));
        }
    }
    for source in &f.sources {
        if !index.sources.iter().any(|s| &s.key == source) {
            return Err(format!("no source `{source}` in index.toml"));
        }
    }
    if article.body.trim().is_empty() {
        return Err("the body is empty".into());
    }
    times(f)?;
    if f.updated.is_some() && !article.body.contains("\n## ") {
        return Err("an `updated` article has a `## ` section for its last edit to add".into());
    }
    comments(index, f)
}

/// Each status has its times, in an order that could have happened.
fn times(f: &FrontMatter) -> Result<(), String> {
    let (status, required): (&str, &[&str]) = match f.status {
        Status::Draft => ("draft", &[]),
        Status::Published => ("published", &["published"]),
        Status::Archived => ("archived", &["published", "archived"]),
        Status::Scheduled => ("scheduled", &["scheduled"]),
    };
    for (name, value) in [
        ("published", f.published),
        ("archived", f.archived),
        ("scheduled", f.scheduled),
    ] {
        match (value.is_some(), required.contains(&name)) {
            (false, true) => return Err(format!("a {status} article has `{name}`")),
            (true, false) => return Err(format!("a {status} article has no `{name}`")),
            _ => {}
        }
    }
    if f.scheduled_on.is_some() && f.status != Status::Scheduled {
        return Err("only scheduled articles have `scheduled_on`".into());
    }
    if f.updated.is_some() && !matches!(f.status, Status::Draft | Status::Published) {
        return Err("only drafts and published articles have `updated`".into());
    }
    let now = Offset(Duration::zero());
    let steps = [f.updated, f.published, f.archived, f.scheduled_on];
    if f.created >= now || steps.iter().flatten().any(|t| *t <= f.created || *t >= now) {
        return Err("`created` comes first, and every step is in the past".into());
    }
    if let (Some(published), Some(later)) = (f.published, f.updated.or(f.archived))
        && later <= published
    {
        return Err("`updated` and `archived` come after `published`".into());
    }
    if f.scheduled.is_some_and(|t| t <= now) {
        return Err("`scheduled` is in the future".into());
    }
    Ok(())
}

/// Comments are posted on a published article, after its publication and early enough to
/// be moderated before the seeding run; a reply answers an earlier, approved comment.
fn comments(index: &Index, f: &FrontMatter) -> Result<(), String> {
    if f.comments.is_empty() {
        return Ok(());
    }
    let Some(published) = f.published.filter(|_| f.status == Status::Published) else {
        return Err("only published articles have comments".into());
    };
    let delay = index.setup.moderation_delay.0;
    for (i, c) in f.comments.iter().enumerate() {
        let n = i + 1;
        if !index.commenters.iter().any(|k| k.key == c.by) {
            return Err(format!(
                "comment {n}: no commenter `{}` in index.toml",
                c.by
            ));
        }
        if i > 0 && c.posted <= f.comments[i - 1].posted {
            return Err(format!("comment {n}: comments are listed oldest first"));
        }
        if c.posted <= published || c.posted.0 + delay >= Duration::zero() {
            return Err(format!(
                "comment {n}: posted after the publication, moderated before the seeding run"
            ));
        }
        if let Some(parent) = c.reply_to {
            let answered = parent
                .checked_sub(1)
                .filter(|p| *p < i)
                .map(|p| &f.comments[p]);
            match answered {
                Some(p)
                    if p.status == CommentStatus::Approved && p.posted.0 + delay < c.posted.0 => {}
                _ => {
                    return Err(format!(
                        "comment {n}: `reply_to` names an earlier comment, approved before this one was posted"
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::demo::data::{Newsroom, parse_article};
    use crate::seed::demo::files;

    #[test]
    fn a_wrong_reference_or_time_is_named() {
        let newsroom = Newsroom::load().unwrap();
        let text = files::ARTICLES[0]
            .1
            .replacen("rubric = ", "rubric = \"nowhere\"\nx = ", 1);
        assert!(parse_article(&text).is_err(), "unknown field");
        let mut one = parse_article(files::ARTICLES[0].1).unwrap();
        one.front.rubric = "nowhere".into();
        assert_eq!(
            article(&newsroom.index, &one),
            Err("no rubric `nowhere` in index.toml".into())
        );
        let mut one = parse_article(files::ARTICLES[0].1).unwrap();
        one.front.published = Some(Offset(Duration::hours(1)));
        assert!(article(&newsroom.index, &one).is_err());
        // A reply to the pending comment (6) of the commented fixture.
        let (_, text) = files::ARTICLES
            .iter()
            .find(|(slug, _)| *slug == crate::seed::demo::fixtures::COMMENTED_SLUG)
            .expect("the commented fixture");
        let mut one = parse_article(text).unwrap();
        assert_eq!(one.front.comments[5].status, CommentStatus::Pending);
        one.front.comments[6].reply_to = Some(6);
        assert!(
            article(&newsroom.index, &one)
                .unwrap_err()
                .contains("reply_to")
        );
    }
}
