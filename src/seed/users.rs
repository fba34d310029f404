//! Demo accounts: one per role, with generated passwords, so that a demo run can sign in
//! at once (`serve --demo` prints them). Created through the account service, so every
//! rule of account creation applies; an account whose email exists is left alone.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::auth::Role;
use crate::content::Content;
use crate::content::accounts::{NewUser, random_token};
use crate::content::ids::{self, Kind};
use crate::db::Db;
use crate::entities::author;
use crate::error::AppError;

/// The byline the demo author and editor write as.
const DEMO_BYLINE: &str = super::demo::fixtures::AUTHOR_SLUG;

/// An account created for the demo: email, role and the password (shown once).
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub email: String,
    pub role: Role,
    pub password: String,
}

/// Creates the demo accounts that do not exist yet and returns them with their passwords.
pub async fn demo_users(db: &Db) -> Result<Vec<DemoAccount>, AppError> {
    let content = Content::new(db.clone(), 100);
    let users = content.users();
    let byline = author::Entity::find()
        .filter(author::Column::Slug.eq(DEMO_BYLINE))
        .one(&db.conn)
        .await?
        .map(|a| ids::encode(Kind::Author, a.id));
    let mut created = Vec::new();
    for role in [Role::Admin, Role::Editor, Role::Author, Role::Reader] {
        let email = format!("{}@demo.kiosque.dev", role.as_str());
        if users.email_exists(&email).await? {
            continue;
        }
        let password = random_token(12);
        let mut name = role.as_str().to_owned();
        name[..1].make_ascii_uppercase();
        users
            .register(NewUser {
                email: email.clone(),
                password: password.clone(),
                display_name: format!("Demo {name}"),
                role,
                author_id: byline
                    .clone()
                    .filter(|_| matches!(role, Role::Author | Role::Editor)),
            })
            .await?;
        created.push(DemoAccount {
            email,
            role,
            password,
        });
    }
    Ok(created)
}
