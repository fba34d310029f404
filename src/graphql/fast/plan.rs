//! Compiling a GraphQL selection into a plan: which fields, under which response keys, and
//! which relations to load. Anything outside the supported subset returns `None`, and the
//! request goes to the general executor instead.

use async_graphql::parser::types::{
    ExecutableDocument, Field, OperationType, Selection, SelectionSet,
};
use async_graphql::{Name, Variables};
use async_graphql_value::{ConstValue, Value};

use crate::content::articles::{ArticleFilter, ArticleOrder, ArticleParts, BodyFormats};
use crate::content::pagination::PageArgs;

/// A response key and what goes under it.
pub type Keyed<T> = Vec<(String, T)>;

/// Every field the fast path serves, by type, with the arguments it reads. The planner
/// refuses any other field or argument (the request then goes to the general executor), so
/// this table is the whole of what the fast path claims; `tests/api/fast_vocabulary.rs`
/// checks each entry against the exported schema and walks each one (with and without each
/// argument, anonymous and as staff) through both executors, comparing their bytes.
pub const VOCABULARY: &[(&str, &[(&str, &[&str])])] = &[
    (
        "Query",
        &[
            ("__typename", &[]),
            ("article", &["slug"]),
            (
                "articles",
                &["first", "after", "last", "before", "filter", "orderBy"],
            ),
        ],
    ),
    (
        "Article",
        &[
            ("__typename", &[]),
            ("id", &[]),
            ("slug", &[]),
            ("title", &[]),
            ("standfirst", &[]),
            ("language", &[]),
            ("status", &[]),
            ("publishedAt", &[]),
            ("updatedAt", &[]),
            ("wordCount", &[]),
            ("readingTimeMinutes", &[]),
            ("version", &[]),
            ("body", &["format"]),
            ("authors", &[]),
            ("rubric", &[]),
            ("moreInRubric", &["first"]),
            ("comments", &["first", "after", "last", "before"]),
        ],
    ),
    (
        "Author",
        &[
            ("__typename", &[]),
            ("id", &[]),
            ("slug", &[]),
            ("name", &[]),
            ("avatarUrl", &[]),
            ("bio", &[]),
        ],
    ),
    (
        "Rubric",
        &[
            ("__typename", &[]),
            ("id", &[]),
            ("slug", &[]),
            ("name", &[]),
        ],
    ),
    (
        "Comment",
        &[
            ("__typename", &[]),
            ("id", &[]),
            ("authorName", &[]),
            ("body", &[]),
            ("createdAt", &[]),
        ],
    ),
    (
        "PageInfo",
        &[
            ("__typename", &[]),
            ("hasNextPage", &[]),
            ("hasPreviousPage", &[]),
            ("startCursor", &[]),
            ("endCursor", &[]),
        ],
    ),
    ("ArticleConnection", CONNECTION),
    ("ArticleEdge", EDGE),
    ("CommentConnection", CONNECTION),
    ("CommentEdge", EDGE),
];

const CONNECTION: &[(&str, &[&str])] = &[
    ("__typename", &[]),
    ("totalCount", &[]),
    ("pageInfo", &[]),
    ("nodes", &[]),
    ("edges", &[]),
];

const EDGE: &[(&str, &[&str])] = &[("__typename", &[]), ("cursor", &[]), ("node", &[])];

/// Whether the fast path serves every field of a selection on `type_name`, with their
/// arguments.
fn claimed(type_name: &str, fields: &[&Field]) -> bool {
    let Some((_, claims)) = VOCABULARY.iter().find(|(t, _)| *t == type_name) else {
        return false;
    };
    fields.iter().all(|field| {
        claims
            .iter()
            .find(|(f, _)| *f == field.name.node.as_str())
            .is_some_and(|(_, args)| {
                field
                    .arguments
                    .iter()
                    .all(|(name, _)| args.contains(&name.node.as_str()))
            })
    })
}

pub enum RootField {
    Typename,
    Article {
        slug: String,
        plan: ArticlePlan,
    },
    Articles {
        args: PageArgs,
        filter: ArticleFilter,
        order: ArticleOrder,
        plan: ConnPlan<ArticlePlan>,
    },
}

pub use crate::graphql::articles::BodyFormat;

pub enum ArticleField {
    Typename,
    Id,
    Slug,
    Title,
    Standfirst,
    Language,
    Status,
    PublishedAt,
    UpdatedAt,
    WordCount,
    ReadingTimeMinutes,
    Version,
    Body(BodyFormat),
    Authors(Keyed<AuthorField>),
    Rubric(Keyed<RubricField>),
    MoreInRubric {
        first: u32,
        plan: Box<ArticlePlan>,
    },
    Comments {
        args: PageArgs,
        plan: ConnPlan<Keyed<CommentField>>,
    },
}

impl ArticleField {
    /// Whether the field is read by a statement of its own (not from the article's row).
    pub fn is_relation(&self) -> bool {
        matches!(self, Self::MoreInRubric { .. } | Self::Comments { .. })
    }
}

pub struct ArticlePlan {
    pub fields: Keyed<ArticleField>,
    pub parts: ArticleParts,
}

impl ArticlePlan {
    /// No field: the items of a list read for its count, page info or cursors only.
    pub fn nothing() -> Self {
        Self {
            fields: Vec::new(),
            parts: ArticleParts {
                lean: true,
                ..ArticleParts::default()
            },
        }
    }
}

pub enum AuthorField {
    Typename,
    Id,
    Slug,
    Name,
    AvatarUrl,
    Bio,
}

pub enum RubricField {
    Typename,
    Id,
    Slug,
    Name,
}

pub enum CommentField {
    Typename,
    Id,
    AuthorName,
    Body,
    CreatedAt,
}

pub enum PageInfoField {
    Typename,
    HasNextPage,
    HasPreviousPage,
    StartCursor,
    EndCursor,
}

pub enum EdgeField<P> {
    Typename,
    Cursor,
    Node(P),
}

pub enum ConnField<P> {
    Typename,
    TotalCount,
    PageInfo(Keyed<PageInfoField>),
    Nodes(P),
    Edges(Keyed<EdgeField<P>>),
}

pub struct ConnPlan<P> {
    pub fields: Keyed<ConnField<P>>,
}

impl<P> ConnPlan<P> {
    pub fn wants_total(&self) -> bool {
        self.fields
            .iter()
            .any(|(_, f)| matches!(f, ConnField::TotalCount))
    }
}

/// The context of planning one request.
pub struct Planner<'a> {
    doc: &'a ExecutableDocument,
    variables: &'a Variables,
    defaults: Vec<(Name, ConstValue)>,
}

impl<'a> Planner<'a> {
    /// Plans the operation, or `None` when the request is outside the fast subset.
    pub fn plan(
        doc: &'a ExecutableDocument,
        operation_name: Option<&str>,
        variables: &'a Variables,
    ) -> Option<Keyed<RootField>> {
        let operation = match (operation_name, &doc.operations) {
            (None, async_graphql::parser::types::DocumentOperations::Single(op)) => &op.node,
            (Some(name), ops) => {
                &ops.iter()
                    .find(|(n, _)| n.is_some_and(|n| n.as_str() == name))?
                    .1
                    .node
            }
            (None, async_graphql::parser::types::DocumentOperations::Multiple(ops))
                if ops.len() == 1 =>
            {
                &ops.values().next()?.node
            }
            (None, _) => return None,
        };
        if operation.ty != OperationType::Query || !operation.directives.is_empty() {
            return None;
        }
        let defaults = operation
            .variable_definitions
            .iter()
            .filter_map(|d| {
                d.node
                    .default_value
                    .as_ref()
                    .map(|v| (d.node.name.node.clone(), v.node.clone()))
            })
            .collect();
        let planner = Planner {
            doc,
            variables,
            defaults,
        };
        let mut root = Vec::new();
        for field in planner.fields(&operation.selection_set.node, "Query")? {
            let key = field.response_key().node.to_string();
            let planned = match field.name.node.as_str() {
                "__typename" => RootField::Typename,
                "article" => planner.root_article(field)?,
                "articles" => planner.root_articles(field)?,
                _ => return None,
            };
            root.push((key, planned));
        }
        Some(root)
    }

    /// The fields of a selection set on `type_name`, fragments flattened. Directives and
    /// repeated response keys (which GraphQL merges) are left to the general executor.
    fn fields(&self, set: &'a SelectionSet, type_name: &str) -> Option<Vec<&'a Field>> {
        let mut out: Vec<&'a Field> = Vec::new();
        self.collect(set, type_name, &mut out, 0)?;
        if !claimed(type_name, &out) {
            return None;
        }
        let mut keys: Vec<&str> = out.iter().map(|f| f.response_key().node.as_str()).collect();
        keys.sort_unstable();
        if keys.windows(2).any(|w| w[0] == w[1]) {
            return None;
        }
        Some(out)
    }

    fn collect(
        &self,
        set: &'a SelectionSet,
        type_name: &str,
        out: &mut Vec<&'a Field>,
        depth: usize,
    ) -> Option<()> {
        if depth > 4 {
            return None;
        }
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    if !field.node.directives.is_empty() {
                        return None;
                    }
                    out.push(&field.node);
                }
                Selection::InlineFragment(fragment) => {
                    let f = &fragment.node;
                    if !f.directives.is_empty()
                        || f.type_condition
                            .as_ref()
                            .is_some_and(|c| c.node.on.node.as_str() != type_name)
                    {
                        return None;
                    }
                    self.collect(&f.selection_set.node, type_name, out, depth + 1)?;
                }
                Selection::FragmentSpread(spread) => {
                    if !spread.node.directives.is_empty() {
                        return None;
                    }
                    let fragment = self.doc.fragments.get(&spread.node.fragment_name.node)?;
                    if fragment.node.type_condition.node.on.node.as_str() != type_name
                        || !fragment.node.directives.is_empty()
                    {
                        return None;
                    }
                    self.collect(&fragment.node.selection_set.node, type_name, out, depth + 1)?;
                }
            }
        }
        Some(())
    }

    /// The value of an argument, variables resolved; `None` inside means absent or null.
    fn arg(&self, field: &Field, name: &str) -> Option<Option<Value>> {
        let Some((_, value)) = field
            .arguments
            .iter()
            .find(|(n, _)| n.node.as_str() == name)
        else {
            return Some(None);
        };
        self.resolve(&value.node)
    }

    fn resolve(&self, value: &Value) -> Option<Option<Value>> {
        Some(match value {
            Value::Variable(var) => {
                let found = self.variables.get(var).cloned().or_else(|| {
                    self.defaults
                        .iter()
                        .find(|(n, _)| n == var)
                        .map(|(_, v)| v.clone())
                });
                match found {
                    None | Some(ConstValue::Null) => None,
                    Some(v) => Some(v.into_value()),
                }
            }
            Value::Null => None,
            Value::Object(map) => {
                let mut resolved = async_graphql_value::indexmap::IndexMap::new();
                for (k, v) in map {
                    if let Some(v) = self.resolve(v)? {
                        resolved.insert(k.clone(), v);
                    }
                }
                Some(Value::Object(resolved))
            }
            other => Some(other.clone()),
        })
    }

    /// A page-size argument: only literals, so that the complexity checked when the
    /// document was first executed still holds.
    fn literal_int(&self, field: &Field, name: &str) -> Option<Option<i32>> {
        let Some((_, value)) = field
            .arguments
            .iter()
            .find(|(n, _)| n.node.as_str() == name)
        else {
            return Some(None);
        };
        match &value.node {
            Value::Number(n) => Some(Some(i32::try_from(n.as_i64()?).ok()?)),
            _ => None,
        }
    }

    fn string_arg(&self, field: &Field, name: &str) -> Option<Option<String>> {
        match self.arg(field, name)? {
            None => Some(None),
            Some(Value::String(s)) => Some(Some(s)),
            Some(_) => None,
        }
    }

    fn page_args(&self, field: &Field) -> Option<PageArgs> {
        Some(PageArgs {
            first: self.literal_int(field, "first")?,
            after: self.string_arg(field, "after")?,
            last: self.literal_int(field, "last")?,
            before: self.string_arg(field, "before")?,
        })
    }

    fn root_article(&self, field: &'a Field) -> Option<RootField> {
        let slug = self.string_arg(field, "slug")??;
        Some(RootField::Article {
            slug,
            plan: self.article(&field.selection_set.node)?,
        })
    }

    fn root_articles(&self, field: &'a Field) -> Option<RootField> {
        let order = match self.arg(field, "orderBy")? {
            None => ArticleOrder::default(),
            Some(value) => ArticleOrder::parse(enum_name(&value)?)?,
        };
        let filter = match self.arg(field, "filter")? {
            None => ArticleFilter::default(),
            Some(Value::Object(map)) => filter(map)?,
            Some(_) => return None,
        };
        let plan = self.connection(
            &field.selection_set.node,
            "ArticleConnection",
            "ArticleEdge",
            |set| self.article(set),
        )?;
        Some(RootField::Articles {
            args: self.page_args(field)?,
            filter,
            order,
            plan,
        })
    }

    fn connection<P>(
        &self,
        set: &'a SelectionSet,
        conn_type: &str,
        edge_type: &str,
        item: impl Fn(&'a SelectionSet) -> Option<P>,
    ) -> Option<ConnPlan<P>> {
        let mut fields = Vec::new();
        for field in self.fields(set, conn_type)? {
            let key = field.response_key().node.to_string();
            let planned = match field.name.node.as_str() {
                "__typename" => ConnField::Typename,
                "totalCount" => ConnField::TotalCount,
                "nodes" => ConnField::Nodes(item(&field.selection_set.node)?),
                "pageInfo" => ConnField::PageInfo(self.page_info(&field.selection_set.node)?),
                "edges" => {
                    let mut edge = Vec::new();
                    for f in self.fields(&field.selection_set.node, edge_type)? {
                        let k = f.response_key().node.to_string();
                        edge.push((
                            k,
                            match f.name.node.as_str() {
                                "__typename" => EdgeField::Typename,
                                "cursor" => EdgeField::Cursor,
                                "node" => EdgeField::Node(item(&f.selection_set.node)?),
                                _ => return None,
                            },
                        ));
                    }
                    ConnField::Edges(edge)
                }
                _ => return None,
            };
            fields.push((key, planned));
        }
        // One item plan per connection: `nodes` and `edges { node }` together (two
        // selections of the items) are left to the executor.
        let items = fields
            .iter()
            .filter(|(_, f)| match f {
                ConnField::Nodes(_) => true,
                ConnField::Edges(edge) => edge.iter().any(|(_, e)| matches!(e, EdgeField::Node(_))),
                _ => false,
            })
            .count();
        if items > 1 {
            return None;
        }
        Some(ConnPlan { fields })
    }

    /// The fields of an object without arguments or sub-selections of its own, each
    /// mapped by `field` (which may note what the selection needs).
    fn leaf<T>(
        &self,
        set: &'a SelectionSet,
        type_name: &str,
        mut field: impl FnMut(&str) -> Option<T>,
    ) -> Option<Keyed<T>> {
        let mut out = Vec::new();
        for f in self.fields(set, type_name)? {
            if !f.arguments.is_empty() {
                return None;
            }
            out.push((
                f.response_key().node.to_string(),
                field(f.name.node.as_str())?,
            ));
        }
        Some(out)
    }

    fn page_info(&self, set: &'a SelectionSet) -> Option<Keyed<PageInfoField>> {
        self.leaf(set, "PageInfo", |name| {
            Some(match name {
                "__typename" => PageInfoField::Typename,
                "hasNextPage" => PageInfoField::HasNextPage,
                "hasPreviousPage" => PageInfoField::HasPreviousPage,
                "startCursor" => PageInfoField::StartCursor,
                "endCursor" => PageInfoField::EndCursor,
                _ => return None,
            })
        })
    }

    fn article(&self, set: &'a SelectionSet) -> Option<ArticlePlan> {
        // The fast path serves no featured image or SEO field (those go to the executor).
        let mut parts = ArticleParts {
            lean: true,
            ..ArticleParts::default()
        };
        let mut fields = Vec::new();
        for f in self.fields(set, "Article")? {
            let name = f.name.node.as_str();
            let planned = match name {
                "__typename" => ArticleField::Typename,
                "id" => ArticleField::Id,
                "slug" => ArticleField::Slug,
                "title" => ArticleField::Title,
                "standfirst" => ArticleField::Standfirst,
                "language" => ArticleField::Language,
                "status" => ArticleField::Status,
                "publishedAt" => ArticleField::PublishedAt,
                "updatedAt" => ArticleField::UpdatedAt,
                "wordCount" => ArticleField::WordCount,
                "readingTimeMinutes" => ArticleField::ReadingTimeMinutes,
                "version" => ArticleField::Version,
                "body" => {
                    // The schema's own enum and default.
                    let format = match self.arg(f, "format")? {
                        None => BodyFormat::default(),
                        Some(value) => {
                            let name = enum_name(&value)?;
                            async_graphql::InputType::parse(Some(ConstValue::Enum(Name::new(name))))
                                .ok()?
                        }
                    };
                    parts.body |= match format {
                        BodyFormat::Markdown => BodyFormats::MARKDOWN,
                        BodyFormat::Html => BodyFormats::HTML,
                        BodyFormat::Text => BodyFormats::TEXT,
                    };
                    ArticleField::Body(format)
                }
                "authors" => {
                    ArticleField::Authors(self.leaf(&f.selection_set.node, "Author", |name| {
                        Some(match name {
                            "__typename" => AuthorField::Typename,
                            "id" => AuthorField::Id,
                            "slug" => AuthorField::Slug,
                            "name" => AuthorField::Name,
                            "avatarUrl" => AuthorField::AvatarUrl,
                            "bio" => {
                                parts.author_bio = true;
                                AuthorField::Bio
                            }
                            _ => return None,
                        })
                    })?)
                }
                "rubric" => {
                    ArticleField::Rubric(self.leaf(&f.selection_set.node, "Rubric", |name| {
                        Some(match name {
                            "__typename" => RubricField::Typename,
                            "id" => RubricField::Id,
                            "slug" => RubricField::Slug,
                            "name" => RubricField::Name,
                            _ => return None,
                        })
                    })?)
                }
                "moreInRubric" => {
                    // The schema's default; the cap (the page-size cap) is checked where the
                    // list is read, as the executor does.
                    let first = self
                        .literal_int(f, "first")?
                        .unwrap_or(crate::graphql::articles::RELATED_DEFAULT);
                    let first = u32::try_from(first).ok()?;
                    ArticleField::MoreInRubric {
                        first,
                        plan: Box::new(self.article(&f.selection_set.node)?),
                    }
                }
                "comments" => {
                    let plan = self.connection(
                        &f.selection_set.node,
                        "CommentConnection",
                        "CommentEdge",
                        |s| self.comment(s),
                    )?;
                    ArticleField::Comments {
                        args: self.page_args(f)?,
                        plan,
                    }
                }
                _ => return None,
            };
            fields.push((f.response_key().node.to_string(), planned));
        }
        Some(ArticlePlan { fields, parts })
    }

    fn comment(&self, set: &'a SelectionSet) -> Option<Keyed<CommentField>> {
        self.leaf(set, "Comment", |name| {
            Some(match name {
                "__typename" => CommentField::Typename,
                "id" => CommentField::Id,
                "authorName" => CommentField::AuthorName,
                "body" => CommentField::Body,
                "createdAt" => CommentField::CreatedAt,
                _ => return None,
            })
        })
    }
}

/// The `ArticleFilter` input object, parsed by the schema's own input type (the derive on
/// the core's `ArticleFilter`): whatever it refuses is left to the general executor, which
/// reports it properly.
/// A key the type does not declare (which the executor reports) is left to it too.
fn filter(map: async_graphql_value::indexmap::IndexMap<Name, Value>) -> Option<ArticleFilter> {
    use async_graphql::InputType;
    // The names the type declares, read once from the type itself.
    static DECLARED: std::sync::OnceLock<Vec<Name>> = std::sync::OnceLock::new();
    let declared = DECLARED.get_or_init(|| match ArticleFilter::default().to_value() {
        ConstValue::Object(fields) => fields.into_keys().collect(),
        _ => Vec::new(),
    });
    if !map.keys().all(|key| declared.contains(key)) {
        return None;
    }
    // A variable inside the object (`{rubric: $r}`) is left to the executor too.
    ArticleFilter::parse(Some(Value::Object(map).into_const()?)).ok()
}

/// An enum value: a literal, or a string from a variable (the document was validated, so a
/// string here can only come from a variable of the enum's type).
fn enum_name(value: &Value) -> Option<&str> {
    match value {
        Value::Enum(name) => Some(name.as_str()),
        Value::String(s) => Some(s.as_str()),
        _ => None,
    }
}
