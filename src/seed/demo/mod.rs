//! The demo newsroom: nine rubrics, ten bylines, twenty-six tags, about seventy articles in
//! French and English (published over the last ninety days, plus drafts, scheduled pieces and
//! an archived one) and threaded readers' comments. The content lives in data files
//! (`demo/`, embedded by `files`, read by `data`); this module writes it into a database
//! without rubrics through the same services as the API, so demo articles obey the rules of
//! real ones: the editorial services create, edit, publish, schedule and archive them, and
//! readers' comments are posted as guests, then moderated by the newsroom's desk.
//!
//! The history is replayed: each step runs under the injected clock
//! ([`crate::content::at`]) at the time the files give, and the services stamp it themselves.
//! A second run changes nothing. The services commit step by step, so a run that fails
//! halfway leaves what it wrote: seed an empty database again.

mod checks;
mod data;
mod files;
pub mod fixtures;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use self::data::{Article, CommentStatus, Newsroom, Offset};
use super::{SeedReport, has_rows, reset_sequences};
use crate::auth::{Actor, Role, UserActor};
use crate::content::accounts::{NewUser, random_token};
use crate::content::comments::moderation::ModerationAction;
use crate::content::comments::posting::NewComment;
use crate::content::editorial::{
    ArticleInput, ArticlePatch, AuthorInput, Expected, RubricInput, SourceInput, TagInput,
    Transition,
};
use crate::content::protection::{Protection, ProtectionSettings, random_secret};
use crate::content::{Content, at};
use crate::db::Db;
use crate::entities::{article, article_revision, user};
use crate::error::{AppError, AppResult};
use crate::ratelimit::RateLimiter;

/// The desk's account, which signs the demo's history (see [`Desk`]).
const DESK_EMAIL: &str = "desk@demo.kiosque.dev";

/// Seeds the demo newsroom unless the database already has a rubric. Its errors are for
/// the operator: they name the file, the step and the rule broken.
pub async fn demo(db: &Db) -> anyhow::Result<SeedReport> {
    if has_rows(&db.conn, db.backend(), "rubrics").await? {
        return Ok(SeedReport {
            skipped: true,
            ..SeedReport::default()
        });
    }
    let newsroom = Newsroom::load().map_err(anyhow::Error::msg)?;
    let seeding = Seeding {
        content: Content::new(db.clone(), 100).with_protection(seed_protection()),
        newsroom: &newsroom,
        now: crate::content::now().trunc_subsecs(0),
    };
    let desk = Desk::open(&seeding)
        .await
        .map_err(|err| plain(err).context("the desk's account"))?;
    let mut report = SeedReport::default();
    let written = seeding.write(&desk.actor, &mut report).await;
    // The desk goes whatever happened, so that a failed run leaves no account either.
    let closed = desk.close(db).await;
    written?;
    closed.map_err(plain)?;
    Ok(report)
}

/// An error as the operator reads it: with its field, and an internal one's detail (which
/// the API keeps for its log).
fn plain(err: AppError) -> anyhow::Error {
    match err {
        AppError::Internal(detail) => anyhow::Error::msg(detail),
        AppError::InvalidInput {
            field: Some(field),
            message,
        } => anyhow::anyhow!("{field}: {message}"),
        other => anyhow::Error::new(other),
    }
}

/// The seed is not a client: it posts many comments from no address, as guests whose
/// comments all wait for the desk's decision. Its own services, with their own counters,
/// so the protections of the server's clients are untouched.
fn seed_protection() -> Protection {
    let settings = ProtectionSettings {
        // 0 turns a limit off (as `KIOSQUE_COMMENTS_PER_CLIENT=0` does).
        comments_per_client: 0,
        comments_per_article: 0,
        // Every comment waits for moderation, which the files decide; no guest is emailed.
        auto_approve_known: false,
        ..ProtectionSettings::default()
    };
    Protection::new(&settings, RateLimiter::memory(), random_secret())
}

/// The newsroom's desk: an editor account, made through the account service, that creates,
/// publishes and moderates the demo (moderation needs an account). The demo leaves no account
/// behind: the demo accounts are `serve --demo`'s, made afterwards, and the first account
/// made is still number 1. No service deletes accounts (they are disabled), so [`Desk::close`]
/// does it with the few statements a removal takes: the references to the desk cleared (as
/// the foreign keys of the moderation trail do by themselves), the account deleted, the
/// accounts' id sequence put back.
struct Desk {
    actor: Actor,
    id: i64,
}

impl Desk {
    async fn open(seeding: &Seeding<'_>) -> AppResult<Self> {
        let founded = seeding.time(seeding.newsroom.index.setup.rubrics) - Duration::hours(1);
        let account = at(
            founded,
            seeding.content.users().register(NewUser {
                email: DESK_EMAIL.into(),
                password: random_token(24),
                display_name: "Demo desk".into(),
                role: Role::Editor,
                author_id: None,
            }),
        )
        .await?;
        Ok(Self {
            actor: Actor::User(UserActor {
                id: account.id,
                role: Role::Editor,
                author_id: None,
            }),
            id: account.id,
        })
    }

    async fn close(self, db: &Db) -> AppResult<()> {
        let txn = db.begin_write().await?;
        article::Entity::update_many()
            .col_expr(article::Column::CreatedBy, Expr::value(Option::<i64>::None))
            .filter(article::Column::CreatedBy.eq(self.id))
            .exec(&txn)
            .await?;
        article_revision::Entity::update_many()
            .col_expr(
                article_revision::Column::EditorId,
                Expr::value(Option::<i64>::None),
            )
            .filter(article_revision::Column::EditorId.eq(self.id))
            .exec(&txn)
            .await?;
        user::Entity::delete_by_id(self.id).exec(&txn).await?;
        reset_sequences(&txn, &["users"]).await?;
        txn.commit().await?;
        Ok(())
    }
}

/// One seeding run: the services, the files, and the time the files' times are relative to.
struct Seeding<'a> {
    content: Content,
    newsroom: &'a Newsroom,
    now: DateTime<Utc>,
}

/// A step of an article's history.
enum Step {
    Create,
    /// The last edit: the body's last section.
    Edit,
    Publish,
    Schedule(DateTime<Utc>),
    Archive,
    /// A guest posts the article's comment number `.0` (from 0).
    Post(usize),
    /// The desk decides on a comment.
    Moderate(usize, CommentStatus),
}

impl Seeding<'_> {
    fn time(&self, offset: Offset) -> DateTime<Utc> {
        self.now + offset.0
    }

    /// The catalogue, then each article with its comments.
    async fn write(&self, desk: &Actor, report: &mut SeedReport) -> anyhow::Result<()> {
        self.catalogue(desk, report)
            .await
            .map_err(|err| plain(err).context("demo/index.toml"))?;
        for article in &self.newsroom.articles {
            let file = format!("demo/articles/{}.md", article.front.slug);
            self.article(desk, article)
                .await
                .map_err(|err| plain(err).context(file))?;
            report.articles += 1;
            report.comments += article.front.comments.len();
        }
        Ok(())
    }

    /// Rubrics, then authors, then tags, a minute apart.
    async fn catalogue(&self, desk: &Actor, report: &mut SeedReport) -> AppResult<()> {
        let index = &self.newsroom.index;
        let editorial = self.content.editorial();
        let minute = |start: Offset, i: usize| self.time(start) + Duration::minutes(i as i64);
        for (i, r) in index.rubrics.iter().enumerate() {
            let input = RubricInput {
                name: r.name.clone(),
                slug: Some(r.slug.clone()),
                description: Some(r.description.clone()),
                parent: r.parent.clone(),
                position: Some(r.position),
            };
            at(
                minute(index.setup.rubrics, i),
                editorial.create_rubric(desk, input),
            )
            .await?;
            report.rubrics += 1;
        }
        for (i, a) in index.authors.iter().enumerate() {
            let input = AuthorInput {
                name: a.name.clone(),
                slug: Some(a.slug.clone()),
                bio: Some(a.bio.clone()),
                avatar_url: a.avatar.clone(),
            };
            at(
                minute(index.setup.authors, i),
                editorial.create_author(desk, input),
            )
            .await?;
            report.authors += 1;
        }
        for (i, t) in index.tags.iter().enumerate() {
            let input = TagInput {
                name: t.name.clone(),
                slug: Some(t.slug.clone()),
            };
            at(
                minute(index.setup.tags, i),
                editorial.create_tag(desk, input),
            )
            .await?;
            report.tags += 1;
        }
        Ok(())
    }

    /// An article's history: its steps in time order.
    fn history(&self, article: &Article) -> Vec<(Offset, Step)> {
        let f = &article.front;
        let delay = self.newsroom.index.setup.moderation_delay.0;
        let mut steps = vec![(f.created, Step::Create)];
        steps.extend(f.updated.map(|t| (t, Step::Edit)));
        steps.extend(f.published.map(|t| (t, Step::Publish)));
        steps.extend(f.archived.map(|t| (t, Step::Archive)));
        if let Some(when) = f.scheduled {
            let on = f.scheduled_on.unwrap_or(f.created);
            steps.push((on, Step::Schedule(self.time(when))));
        }
        for (i, c) in f.comments.iter().enumerate() {
            steps.push((c.posted, Step::Post(i)));
            if c.status != CommentStatus::Pending {
                steps.push((Offset(c.posted.0 + delay), Step::Moderate(i, c.status)));
            }
        }
        // Stable: of two steps at the same time, the one listed first comes first.
        steps.sort_by_key(|(offset, _)| *offset);
        steps
    }

    /// Replays an article's history, each step at its time.
    async fn article(&self, desk: &Actor, article: &Article) -> AppResult<()> {
        let f = &article.front;
        let editorial = self.content.editorial();
        let mut version = 0;
        let mut comment_ids: Vec<i64> = Vec::with_capacity(f.comments.len());
        for (offset, step) in self.history(article) {
            let time = self.time(offset);
            match step {
                Step::Create => {
                    let created =
                        at(time, editorial.create_article(desk, self.input(article)?)).await?;
                    version = created.version;
                }
                Step::Edit => {
                    let patch = ArticlePatch {
                        body: Some(article.body.clone()),
                        ..ArticlePatch::default()
                    };
                    let edited = at(
                        time,
                        editorial.update_article(desk, &f.slug, Expected::given(version), patch),
                    )
                    .await?;
                    version = edited.version;
                }
                Step::Publish | Step::Schedule(_) | Step::Archive => {
                    let transition = match step {
                        Step::Publish => Transition::Publish,
                        Step::Schedule(when) => Transition::Schedule(when),
                        _ => Transition::Archive,
                    };
                    let expected = Some(Expected::given(version));
                    let moved = at(
                        time,
                        editorial.transition(desk, &f.slug, expected, transition),
                    )
                    .await?;
                    version = moved.version;
                }
                Step::Post(i) => {
                    let id = at(time, self.post(article, i, &comment_ids)).await?;
                    comment_ids.push(id);
                }
                Step::Moderate(i, status) => {
                    let action = match status {
                        CommentStatus::Approved => ModerationAction::Approve,
                        CommentStatus::Rejected => ModerationAction::Reject,
                        CommentStatus::Spam => ModerationAction::Spam,
                        CommentStatus::Pending => continue,
                    };
                    let id = posted(&comment_ids, i)?;
                    let comments = self.content.comments();
                    at(time, comments.moderate(desk, &[id], action, None)).await?;
                }
            }
        }
        Ok(())
    }

    /// The article as first saved (a draft, as every article starts).
    fn input(&self, article: &Article) -> AppResult<ArticleInput> {
        let f = &article.front;
        let sources = f
            .sources
            .iter()
            .map(|key| {
                let source = self
                    .newsroom
                    .source(key)
                    .ok_or_else(|| AppError::Internal(format!("no source `{key}`")))?;
                Ok(SourceInput {
                    name: source.name.clone(),
                    url: Some(source.url.clone()),
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        Ok(ArticleInput {
            title: f.title.clone(),
            slug: Some(f.slug.clone()),
            standfirst: Some(f.standfirst.clone()),
            body: Some(article.first_body()),
            language: Some(f.language.clone()),
            rubric: f.rubric.clone(),
            authors: f.authors.clone(),
            tags: Some(f.tags.clone()),
            sources: Some(sources),
            featured_image_url: f.image.as_ref().map(|i| i.url.clone()),
            featured_image_alt: f.image.as_ref().and_then(|i| i.alt.clone()),
            seo_title: f.seo.as_ref().and_then(|s| s.title.clone()),
            seo_description: f.seo.as_ref().and_then(|s| s.description.clone()),
        })
    }

    /// A guest posts comment `i` of `article`, from no known address, as a client would.
    async fn post(&self, article: &Article, i: usize, ids: &[i64]) -> AppResult<i64> {
        let c = &article.front.comments[i];
        let commenter = self
            .newsroom
            .commenter(&c.by)
            .ok_or_else(|| AppError::Internal(format!("no commenter `{}`", c.by)))?;
        let comment = NewComment {
            article_slug: article.front.slug.clone(),
            parent_id: c
                .reply_to
                .map(|n| posted(ids, n.wrapping_sub(1)))
                .transpose()?,
            author_name: Some(commenter.name.clone()),
            author_email: Some(commenter.email.clone()),
            body: c.body.clone(),
            ..NewComment::default()
        };
        let posted = self
            .content
            .comments()
            .post(&Actor::Anonymous, None, comment)
            .await?;
        Ok(posted.id)
    }
}

/// The id of the article's comment `i` (from 0), once posted (`data` checks that replies
/// and decisions come after the comment they concern).
fn posted(ids: &[i64], i: usize) -> AppResult<i64> {
    ids.get(i).copied().ok_or_else(|| {
        AppError::Internal("a comment is answered or moderated before it is posted".into())
    })
}
