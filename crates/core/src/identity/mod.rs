//! Who is calling, as the domain knows it: a user with a role (staff or reader), a
//! syndication partner with an API key, or nobody. The server's `auth` turns a request
//! (JWT access token, API key) into an [`Actor`]; the content services decide what the actor
//! may do. Access tokens are signed by the server (`TokenIssuer`), passwords hashed here.

pub mod password;

use serde::{Deserialize, Serialize};

use crate::content::Viewer;

/// A user's role. Staff roles (`admin`, `editor`, `author`) see drafts and scheduled
/// articles; readers see what the public sees and may comment under their name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Editor,
    Author,
    Reader,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Editor => "editor",
            Self::Author => "author",
            Self::Reader => "reader",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "admin" => Self::Admin,
            "editor" => Self::Editor,
            "author" => Self::Author,
            "reader" => Self::Reader,
            _ => return None,
        })
    }

    pub fn is_staff(self) -> bool {
        !matches!(self, Self::Reader)
    }
}

/// A signed-in user: who they are as their access token proves, their role and byline as
/// their account holds them now (`content::accounts::Sessions::current`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserActor {
    pub id: i64,
    pub role: Role,
    /// The public byline of a staff member, if any (authors edit their own articles).
    pub author_id: Option<i64>,
}

/// A syndication partner, by API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerActor {
    pub key_id: i64,
    pub scopes: Vec<String>,
    /// The key may only run registered GraphQL documents (`content::accounts::TrustedDocuments`).
    pub trusted_documents_only: bool,
}

/// The caller of one request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Actor {
    #[default]
    Anonymous,
    User(UserActor),
    Partner(PartnerActor),
}

impl Actor {
    /// What this caller may read.
    pub fn viewer(&self) -> Viewer {
        match self {
            Self::User(user) if user.role.is_staff() => Viewer::staff(),
            _ => Viewer::public(),
        }
    }

    pub fn user(&self) -> Option<&UserActor> {
        match self {
            Self::User(user) => Some(user),
            _ => None,
        }
    }

    pub fn role(&self) -> Option<Role> {
        self.user().map(|u| u.role)
    }

    pub fn is_authenticated(&self) -> bool {
        !matches!(self, Self::Anonymous)
    }
}

/// Signs the access tokens of new sessions (the server's JWT keys). The content services
/// open sessions; how a token is signed is the server's business.
pub trait TokenIssuer: Send + Sync + std::fmt::Debug {
    /// A signed access token for `user`.
    fn issue(&self, user: &UserActor) -> crate::error::AppResult<String>;
    /// How long an access token lives, in seconds.
    fn ttl_secs(&self) -> i64;
}
