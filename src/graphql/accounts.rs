//! Accounts in GraphQL: signing in and out (`login`, `refresh`, `logout`), the caller's
//! account (`me`), and, for admins, users and partner API keys. Each field calls one
//! account service; the rules (who may, what is valid) live in `content::accounts`.
//!
//! Users and API keys are not `Node`s (they are never public): their ids are plain numbers.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::common::*;
use crate::auth::Role;
use crate::content::accounts::{
    ApiKeyRecord, CreatedApiKey, NewApiKey, NewUser, Session, UserChanges, UserRecord,
};
use crate::content::ids::{self, Kind};
use crate::content::pagination::Page;

/// A staff or reader account.
pub struct UserNode(UserRecord);

#[Object(name = "User")]
impl UserNode {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Visible to the account itself and to admins only.
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    async fn role(&self) -> Role {
        self.0.role
    }
    /// The global id of the public byline this account writes as.
    async fn author_id(&self) -> Option<ID> {
        self.0.author_id.map(|id| ID(ids::encode(Kind::Author, id)))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn last_login_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_login_at
    }
    /// A disabled account cannot sign in.
    async fn disabled(&self) -> bool {
        self.0.disabled_at.is_some()
    }
    async fn disabled_at(&self) -> Option<DateTime<Utc>> {
        self.0.disabled_at
    }
}

/// A new session: a short-lived access token (send it as `Authorization: Bearer …`) and a
/// refresh token to get the next one.
#[derive(SimpleObject)]
pub struct AuthPayload {
    access_token: String,
    /// Always `Bearer`.
    token_type: String,
    /// Seconds until the access token expires.
    expires_in: i64,
    /// Single use: `refresh` revokes it and returns a new one.
    refresh_token: String,
    user: UserNode,
}

impl From<Session> for AuthPayload {
    fn from(s: Session) -> Self {
        Self {
            access_token: s.access_token,
            token_type: s.token_type.to_owned(),
            expires_in: s.expires_in,
            refresh_token: s.refresh_token,
            user: UserNode(s.user),
        }
    }
}

/// A syndication partner's key (the key itself is shown once, at creation).
#[derive(SimpleObject)]
#[graphql(name = "ApiKey")]
pub struct ApiKeyNode {
    id: ID,
    name: String,
    /// The first characters of the key, to tell keys apart.
    prefix: String,
    scopes: Vec<String>,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiKeyRecord> for ApiKeyNode {
    fn from(k: ApiKeyRecord) -> Self {
        Self {
            id: ID(k.id.to_string()),
            name: k.name,
            prefix: k.prefix,
            scopes: k.scopes,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// A key just created.
#[derive(SimpleObject)]
pub struct CreatedApiKeyPayload {
    /// The key: shown this once, never again (only its hash is stored).
    key: String,
    api_key: ApiKeyNode,
}

impl From<CreatedApiKey> for CreatedApiKeyPayload {
    fn from(c: CreatedApiKey) -> Self {
        Self {
            key: c.key,
            api_key: c.record.into(),
        }
    }
}

#[derive(SimpleObject)]
pub struct UserConnection {
    edges: Vec<UserEdge>,
    nodes: Vec<UserNode>,
    page_info: PageInfo,
    /// The number of accounts.
    total_count: i64,
}

#[derive(SimpleObject)]
pub struct UserEdge {
    cursor: String,
    node: UserNode,
}

fn user_connection(page: Page<UserRecord>) -> UserConnection {
    let mut edges = Vec::new();
    let mut nodes = Vec::new();
    for (cursor, user) in page.items {
        edges.push(UserEdge {
            cursor: cursor.encode(),
            node: UserNode(user.clone()),
        });
        nodes.push(UserNode(user));
    }
    UserConnection {
        edges,
        nodes,
        page_info: page.info.into(),
        total_count: page.total.unwrap_or(0),
    }
}

#[derive(InputObject)]
pub struct CreateUserInput {
    /// Normalised: trimmed and lowercased.
    pub email: String,
    /// 10 to 256 characters.
    pub password: String,
    pub display_name: String,
    pub role: Role,
    /// The global id of an author (byline) this account writes as.
    pub author_id: Option<ID>,
}

#[derive(InputObject, Default)]
pub struct UpdateUserInput {
    pub role: Option<Role>,
    pub display_name: Option<String>,
    /// `true` disables the account and ends its sessions; `false` enables it again.
    pub disabled: Option<bool>,
}

#[derive(InputObject)]
pub struct CreateApiKeyInput {
    /// Who the key is for.
    pub name: String,
    /// E.g. `["articles:read", "feeds:read"]`.
    pub scopes: Vec<String>,
}

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The signed-in caller's account (`UNAUTHENTICATED` when anonymous).
    async fn me(&self, ctx: &Context<'_>) -> GqlResult<UserNode> {
        let user = content(ctx).users().me(&actor(ctx)).await.map_err(gql)?;
        Ok(UserNode(user))
    }

    /// Every account, oldest first (admins only).
    #[graphql(complexity = "connection_cost(first, last, child_complexity)")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<UserConnection> {
        let page = page_request(ctx, page_args(first, after, last, before))?;
        let page = content(ctx)
            .users()
            .list(&actor(ctx), &page)
            .await
            .map_err(gql)?;
        Ok(user_connection(page))
    }

    /// Every partner API key, newest first, revoked ones included (admins only).
    async fn api_keys(&self, ctx: &Context<'_>) -> GqlResult<Vec<ApiKeyNode>> {
        let keys = content(ctx)
            .api_keys()
            .list(&actor(ctx))
            .await
            .map_err(gql)?;
        Ok(keys.into_iter().map(ApiKeyNode::from).collect())
    }
}

#[derive(Default)]
pub struct AccountMutations;

#[Object]
impl AccountMutations {
    /// Signs in with an email and a password. A wrong password and an unknown email get
    /// the same `UNAUTHENTICATED` answer.
    async fn login(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
    ) -> GqlResult<AuthPayload> {
        let session = content(ctx)
            .sessions()
            .login(
                &email,
                &password,
                ctx.data_opt::<crate::auth::extract::ClientIp>()
                    .and_then(|c| c.0),
            )
            .await
            .map_err(gql)?;
        Ok(session.into())
    }

    /// Exchanges a refresh token (used once) for a new session.
    async fn refresh(&self, ctx: &Context<'_>, refresh_token: String) -> GqlResult<AuthPayload> {
        let session = content(ctx)
            .sessions()
            .refresh(&refresh_token)
            .await
            .map_err(gql)?;
        Ok(session.into())
    }

    /// Revokes a refresh token (the access token expires on its own, within minutes).
    async fn logout(&self, ctx: &Context<'_>, refresh_token: String) -> GqlResult<bool> {
        content(ctx)
            .sessions()
            .logout(&refresh_token)
            .await
            .map_err(gql)?;
        Ok(true)
    }

    /// Creates an account (admins only).
    async fn create_user(&self, ctx: &Context<'_>, input: CreateUserInput) -> GqlResult<UserNode> {
        let input = NewUser {
            email: input.email,
            password: input.password,
            display_name: input.display_name,
            role: input.role,
            author_id: input.author_id.map(|id| id.0),
        };
        let user = content(ctx)
            .users()
            .create(&actor(ctx), input)
            .await
            .map_err(gql)?;
        Ok(UserNode(user))
    }

    /// Changes an account's role, name or disabled flag (admins only).
    async fn update_user(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateUserInput,
    ) -> GqlResult<UserNode> {
        let id = number("id", &id)?;
        let changes = UserChanges {
            role: input.role,
            display_name: input.display_name,
            disabled: input.disabled,
        };
        let user = content(ctx)
            .users()
            .update(&actor(ctx), id, changes)
            .await
            .map_err(gql)?;
        Ok(UserNode(user))
    }

    /// Creates a partner API key (admins only); the key is in the answer, once.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        input: CreateApiKeyInput,
    ) -> GqlResult<CreatedApiKeyPayload> {
        let input = NewApiKey {
            name: input.name,
            scopes: input.scopes,
        };
        let created = content(ctx)
            .api_keys()
            .create(&actor(ctx), input)
            .await
            .map_err(gql)?;
        Ok(created.into())
    }

    /// Revokes a partner API key (admins only), effective on its next request.
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ApiKeyNode> {
        let id = number("id", &id)?;
        let key = content(ctx)
            .api_keys()
            .revoke(&actor(ctx), id)
            .await
            .map_err(gql)?;
        Ok(key.into())
    }
}
