//! Who may do what. Every write checks here, in the service layer, before touching the
//! database: admin everything; editor all content and moderation; author their own drafts;
//! reader comments under their name; anonymous reads and posts guest comments.

use crate::error::{AppError, AppResult};
use crate::identity::{Actor, Role, UserActor};

/// A signed-in user, or 401.
pub fn signed_in(actor: &Actor) -> AppResult<&UserActor> {
    match actor {
        Actor::User(user) => Ok(user),
        Actor::Partner(_) => Err(AppError::Forbidden("partner keys are read-only".into())),
        Actor::Anonymous => Err(AppError::Unauthenticated("sign in to do this".into())),
    }
}

/// A signed-in user with one of `roles`, or 401/403.
pub fn one_of<'a>(actor: &'a Actor, roles: &[Role]) -> AppResult<&'a UserActor> {
    let user = signed_in(actor)?;
    if roles.contains(&user.role) {
        Ok(user)
    } else {
        Err(AppError::Forbidden(format!(
            "a {} may not do this",
            user.role.as_str()
        )))
    }
}

/// Admins only.
pub fn admin(actor: &Actor) -> AppResult<&UserActor> {
    one_of(actor, &[Role::Admin])
}

/// Editors and admins (all content, moderation).
pub fn editor(actor: &Actor) -> AppResult<&UserActor> {
    one_of(actor, &[Role::Admin, Role::Editor])
}

/// Any staff member (admins, editors, authors).
pub fn staff(actor: &Actor) -> AppResult<&UserActor> {
    one_of(actor, &[Role::Admin, Role::Editor, Role::Author])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role) -> Actor {
        Actor::User(UserActor {
            id: 1,
            role,
            author_id: None,
        })
    }

    #[test]
    fn roles_are_checked_with_the_right_status() {
        assert_eq!(editor(&Actor::Anonymous).unwrap_err().status(), 401);
        assert_eq!(editor(&user(Role::Author)).unwrap_err().status(), 403);
        assert!(editor(&user(Role::Editor)).is_ok());
        assert!(admin(&user(Role::Editor)).is_err());
        assert!(staff(&user(Role::Author)).is_ok());
        assert!(staff(&user(Role::Reader)).is_err());
    }
}
