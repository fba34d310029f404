//! Slugs and words the integration tests rely on. Each guarantee holds for the demo newsroom
//! (`demo/`) as [`demo`](super::demo) writes it into an empty database; `demo/index.toml`
//! says which words are reserved for them.

/// A published French article (rubric `international`) whose body contains "étrangère"
/// (accented, in "politique étrangère"). Its title contains neither "étrangère" nor
/// "etrangere", and no article anywhere (title, standfirst, body, slug) contains the
/// unaccented form "etrangere". It is also the only article containing any form of
/// "étranger" (étrangère, étrangers, …), so a search for "etrangere" has exactly one hit.
pub const FOREIGN_POLICY_SLUG: &str = "la-diplomatie-francaise-cherche-un-nouveau-cap";

/// A published English article (rubric `international`) whose body contains the singular
/// word "missile". "missile" appears in no other article, and the plural "missiles" appears
/// nowhere in the corpus (so a search for "missiles" can only match through stemming).
pub const MISSILE_SLUG: &str = "talks-resume-on-a-test-moratorium";

/// A draft (`published_at` NULL, rubric `sciences`) whose title and body contain
/// "zeppelin". Besides this draft, "zeppelin" appears only in the body of
/// [`SCHEDULED_SLUG`]: no published article contains it.
pub const DRAFT_SLUG: &str = "le-zeppelin-du-musee-reprend-des-couleurs";

/// A scheduled article (`status` 'scheduled', `published_at` = seeding time + 48 hours)
/// whose body contains "zeppelin" (its title does not). Its rubric is [`RUBRIC_SLUG`],
/// which has ten published articles; its first author is [`AUTHOR_SLUG`] and it carries
/// [`TAG_SLUG`], so it must stay out of every public list, search, related and
/// previous/next result until its time comes.
pub const SCHEDULED_SLUG: &str = "ravitailler-les-iles-isolees-le-pari-du-dirigeable";

/// A published French article (rubric `politique`) with exactly these comments:
/// - 4 approved top-level comments;
/// - 3 approved replies: two to the first top-level comment's thread (a reply, and a
///   reply to that reply, i.e. two levels deep) and one to the second top-level comment;
/// - 1 pending top-level comment whose body contains [`PENDING_MARKER`] (the only
///   comment in the corpus containing it);
/// - 1 pending reply (to the third top-level comment);
/// - 1 rejected and 1 spam top-level comment (the only rejected and spam comments of
///   the whole demo).
///
/// All created after the article's publication and before seeding time, in id order.
pub const COMMENTED_SLUG: &str = "le-conseil-municipal-vote-la-gratuite-des-bus-le-samedi";
/// Approved comments on [`COMMENTED_SLUG`] (all levels).
pub const COMMENTED_APPROVED: usize = 7;
/// Approved top-level comments on [`COMMENTED_SLUG`].
pub const COMMENTED_APPROVED_TOP_LEVEL: usize = 4;
/// All comments on [`COMMENTED_SLUG`], whatever their status.
pub const COMMENTED_TOTAL: usize = 11;
/// The unique word in the pending comment of [`COMMENTED_SLUG`].
pub const PENDING_MARKER: &str = "PENDINGMARKER";

/// A top-level rubric (no parent) with exactly 10 published articles (7 French, 3
/// English), plus the scheduled [`SCHEDULED_SLUG`]. Its child rubric `europe` has 3
/// published articles of its own.
pub const RUBRIC_SLUG: &str = "international";
/// The child rubric of [`RUBRIC_SLUG`].
pub const CHILD_RUBRIC_SLUG: &str = "europe";

/// An author (Claire Vasseur) with exactly 8 published articles (first author of 7 of
/// them), plus the scheduled [`SCHEDULED_SLUG`]; has a bio and an avatar URL.
pub const AUTHOR_SLUG: &str = "claire-vasseur";

/// A tag ("Diplomatie") on exactly 10 published articles (those of [`RUBRIC_SLUG`]),
/// plus the scheduled [`SCHEDULED_SLUG`].
pub const TAG_SLUG: &str = "diplomatie";

/// A published English article (rubric `international`, tag [`TAG_SLUG`]).
pub const ENGLISH_SLUG: &str = "aid-convoys-reach-the-northern-valleys";
