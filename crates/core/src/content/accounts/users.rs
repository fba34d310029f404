//! Users: creating accounts (by an admin, or by the command line for the first admin),
//! changing a role or a name, disabling an account, listing accounts, and `me`. Only admins
//! manage accounts; an admin may not demote or disable themselves (so that there is always
//! someone left to manage the others).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};

use super::inputs::{DisplayName, Email};
use crate::content::ids::{self, Kind};
use crate::content::pagination::{Cursor, Direction, Page, PageRequest, SortValue};
use crate::content::{Content, now, permissions};
use crate::entities::{author, user};
use crate::error::{AppError, AppResult};
use crate::identity::{Actor, Role, password};

pub struct Users<'a> {
    pub(crate) content: &'a Content,
}

/// An account as the API shows it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// The public byline of a staff member.
    pub author_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub disabled_at: Option<DateTime<Utc>>,
}

impl From<user::Model> for UserRecord {
    fn from(m: user::Model) -> Self {
        Self {
            id: m.id,
            // The CHECK constraint allows only the four roles; the weakest is the safe default.
            role: Role::parse(&m.role).unwrap_or(Role::Reader),
            email: m.email,
            display_name: m.display_name,
            author_id: m.author_id,
            created_at: m.created_at,
            updated_at: m.updated_at,
            last_login_at: m.last_login_at,
            disabled_at: m.disabled_at,
        }
    }
}

/// A new account, as given by a client.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub role: Role,
    /// The global id of the author (byline) this account writes as.
    pub author_id: Option<String>,
}

/// Changes to an account; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub role: Option<Role>,
    pub display_name: Option<String>,
    /// `true` disables the account (it can no longer sign in, and its sessions end);
    /// `false` enables it again.
    pub disabled: Option<bool>,
}

impl UserChanges {
    /// An admin changing their own account may not demote or disable themselves, so that
    /// there is always an admin left to manage the others.
    fn check_own(&self, own: bool) -> AppResult<()> {
        if !own {
            return Ok(());
        }
        if self.role.is_some_and(|r| r != Role::Admin) {
            return Err(AppError::invalid(
                "role",
                "you cannot remove your own admin role",
            ));
        }
        if self.disabled == Some(true) {
            return Err(AppError::invalid(
                "disabled",
                "you cannot disable your own account",
            ));
        }
        Ok(())
    }
}

impl Users<'_> {
    /// The signed-in user's own account. A token whose account was deleted or disabled
    /// meanwhile is refused like an expired one.
    pub async fn me(&self, actor: &Actor) -> AppResult<UserRecord> {
        let me = permissions::signed_in(actor)?;
        match self.find(me.id).await? {
            Some(user) if user.disabled_at.is_none() => Ok(user),
            _ => Err(AppError::Unauthenticated(
                "the access token is invalid or expired".into(),
            )),
        }
    }

    /// Creates an account (admins only).
    pub async fn create(&self, actor: &Actor, input: NewUser) -> AppResult<UserRecord> {
        permissions::admin(actor)?;
        self.register(input).await
    }

    /// Creates an account without a caller: for the command line (the first admin) and the
    /// demo accounts. Every input rule still applies.
    pub async fn register(&self, input: NewUser) -> AppResult<UserRecord> {
        let email = Email::parse(&input.email)?;
        password::validate(&input.password)?;
        let name = DisplayName::parse("displayName", &input.display_name)?;
        let author_id = match input.author_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(self.existing_author(raw).await?),
        };
        let hash = password::hash(input.password).await?;
        let at = now();
        let created = user::ActiveModel {
            email: Set(email.into_inner()),
            password_hash: Set(hash),
            display_name: Set(name.into_inner()),
            role: Set(input.role.as_str().to_owned()),
            author_id: Set(author_id),
            created_at: Set(at),
            updated_at: Set(at),
            last_login_at: Set(None),
            disabled_at: Set(None),
            ..Default::default()
        }
        .insert(&self.content.db.conn)
        .await?;
        tracing::info!(user_id = created.id, role = %created.role, "account created");
        Ok(created.into())
    }

    /// Changes a role, a display name or the disabled flag (admins only). Both hold from the
    /// account's next request, whatever its access token says (see
    /// [`super::Sessions::current`]); disabling also revokes its refresh tokens in the same
    /// transaction.
    pub async fn update(
        &self,
        actor: &Actor,
        id: i64,
        changes: UserChanges,
    ) -> AppResult<UserRecord> {
        let admin = permissions::admin(actor)?;
        let name = changes
            .display_name
            .as_deref()
            .map(|n| DisplayName::parse("displayName", n))
            .transpose()?;
        changes.check_own(admin.id == id)?;
        let txn = self.content.db.conn.begin().await?;
        let existing = user::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or_else(|| AppError::not_found("user"))?;
        let was_disabled = existing.disabled_at.is_some();
        let at = now();
        let mut model = existing.into_active_model();
        if let Some(role) = changes.role {
            model.role = Set(role.as_str().to_owned());
        }
        if let Some(name) = name {
            model.display_name = Set(name.into_inner());
        }
        match changes.disabled {
            Some(true) if !was_disabled => model.disabled_at = Set(Some(at)),
            Some(false) => model.disabled_at = Set(None),
            _ => {}
        }
        model.updated_at = Set(at);
        let updated = model.update(&txn).await?;
        if changes.disabled == Some(true) {
            // Disabling ends every session now (access tokens are refused from the next
            // request on, as the account is read on each).
            super::sessions::revoke_all(&txn, id, at).await?;
        }
        txn.commit().await?;
        Ok(updated.into())
    }

    /// Every account, oldest first, a page at a time (admins only).
    pub async fn list(&self, actor: &Actor, page: &PageRequest) -> AppResult<Page<UserRecord>> {
        permissions::admin(actor)?;
        let conn = &self.content.db.conn;
        let mut query = user::Entity::find();
        if let Some(cursor) = &page.cursor {
            query = match page.direction {
                Direction::Forward => query.filter(user::Column::Id.gt(cursor.id)),
                Direction::Backward => query.filter(user::Column::Id.lt(cursor.id)),
            };
        }
        query = match page.direction {
            Direction::Forward => query.order_by_asc(user::Column::Id),
            Direction::Backward => query.order_by_desc(user::Column::Id),
        };
        let rows = query.limit(u64::from(page.size) + 1).all(conn).await?;
        let total = user::Entity::find().count(conn).await? as i64;
        let rows: Vec<UserRecord> = rows.into_iter().map(UserRecord::from).collect();
        Ok(Page::from_rows(
            page,
            rows,
            |u| Cursor {
                key: SortValue::Offset(0),
                id: u.id,
            },
            Some(total),
        ))
    }

    pub(crate) async fn find(&self, id: i64) -> AppResult<Option<UserRecord>> {
        Ok(user::Entity::find_by_id(id)
            .one(&self.content.db.conn)
            .await?
            .map(UserRecord::from))
    }

    /// Whether an account exists with this email (normalised first).
    pub async fn email_exists(&self, email: &str) -> AppResult<bool> {
        let email = Email::parse(email)?;
        Ok(user::Entity::find()
            .filter(user::Column::Email.eq(email.as_str()))
            .count(&self.content.db.conn)
            .await?
            > 0)
    }

    async fn existing_author(&self, raw: &str) -> AppResult<i64> {
        let unknown = || AppError::invalid("authorId", "no author has this id");
        let (kind, id) = ids::decode("authorId", raw)?;
        if kind != Kind::Author {
            return Err(unknown());
        }
        author::Entity::find_by_id(id)
            .one(&self.content.db.conn)
            .await?
            .map(|a| a.id)
            .ok_or_else(unknown)
    }
}
