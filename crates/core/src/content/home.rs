//! The home page: the latest articles, and the latest of each rubric.

use crate::content::articles::{
    ArticleFilter, ArticleGroup, ArticleOrder, ArticleParts, ArticleRecord,
};
use crate::content::catalogue::RubricRecord;
use crate::content::pagination::PageRequest;
use crate::content::{Content, Viewer};
use crate::error::AppResult;

pub struct Home {
    pub latest: Vec<ArticleRecord>,
    pub rubrics: Vec<(RubricRecord, Vec<ArticleRecord>)>,
}

impl Content {
    /// Three statements whatever the sizes: the latest articles, the rubrics, and the latest
    /// of every rubric at once.
    pub async fn home(
        &self,
        viewer: &Viewer,
        latest: i64,
        per_rubric: i64,
        parts: ArticleParts,
    ) -> AppResult<Home> {
        let latest = self.bounded("latest", latest)?;
        let per_rubric = self.bounded("perRubric", per_rubric)?;
        let filter = ArticleFilter::default();
        let order = ArticleOrder::PublishedAtDesc;
        let latest = self
            .articles()
            .list(
                viewer,
                &filter,
                order,
                &PageRequest::first(latest),
                false,
                parts,
            )
            .await?;
        let rubrics = self.catalogue().rubrics().await?;
        let ids: Vec<i64> = rubrics.iter().map(|r| r.id).collect();
        let mut grouped = self
            .articles()
            .list_grouped(
                viewer,
                ArticleGroup::Rubric,
                &ids,
                &filter,
                order,
                &PageRequest::first(per_rubric),
                false,
                parts,
            )
            .await?;
        Ok(Home {
            latest: latest.items.into_iter().map(|(_, a)| a).collect(),
            rubrics: rubrics
                .into_iter()
                .map(|r| {
                    let articles = grouped
                        .remove(&r.id)
                        .map(|p| p.items.into_iter().map(|(_, a)| a).collect());
                    (r, articles.unwrap_or_default())
                })
                .collect(),
        })
    }
}
