//! Readers' reports of a published comment: they reach the moderators' flagged queue until
//! a moderation action resolves them.

use std::net::IpAddr;

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use super::Comments;
use super::moderation::REASON_MAX;
use super::posting::plain_text;
use crate::content::{Viewer, now};
use crate::entities::{comment_flag, user};
use crate::error::{AppError, AppResult};
use crate::identity::Actor;

impl Comments<'_> {
    /// A reader (signed in or not) reports a published comment. Reporting the same comment
    /// twice before moderators deal with it counts once.
    pub async fn report(
        &self,
        actor: &Actor,
        client: Option<IpAddr>,
        comment_id: i64,
        reason_text: &str,
    ) -> AppResult<()> {
        if let Actor::Partner(_) = actor {
            return Err(AppError::Forbidden(
                "partner keys may not report comments".into(),
            ));
        }
        let text = plain_text(reason_text);
        let len = text.chars().count();
        if len == 0 || len > REASON_MAX {
            return Err(AppError::invalid(
                "reason",
                format!("a reason is 1 to {REASON_MAX} characters"),
            ));
        }
        if self
            .find_by_ids(&Viewer::public(), &[comment_id])
            .await?
            .is_empty()
        {
            return Err(AppError::not_found("comment"));
        }
        let protection = self.content.protection.clone();
        let hash = protection.client_hash(client);
        protection
            .hit("report:client", &hash, protection.reports_per_client)
            .await?;
        let reporter_id = actor.user().map(|u| u.id);
        let conn = &self.content.db.conn;
        let mut earlier = comment_flag::Entity::find()
            .filter(comment_flag::Column::CommentId.eq(comment_id))
            .filter(comment_flag::Column::ResolvedAt.is_null());
        earlier = match reporter_id {
            Some(id) => earlier.filter(comment_flag::Column::ReporterId.eq(id)),
            None => earlier.filter(comment_flag::Column::ReporterHash.eq(hash.clone())),
        };
        if earlier.one(conn).await?.is_some() {
            return Ok(());
        }
        let reporter_exists = match reporter_id {
            Some(id) => user::Entity::find_by_id(id).one(conn).await?.is_some(),
            None => false,
        };
        comment_flag::ActiveModel {
            comment_id: Set(comment_id),
            reason: Set(text),
            reporter_id: Set(reporter_id.filter(|_| reporter_exists)),
            reporter_hash: Set(Some(hash)),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        Ok(())
    }
}
