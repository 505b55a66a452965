//! `authorizers` and `authorization_codes`: the accounts that authorized the
//! platform, their sealed tokens and profile. Rows are never deleted.

use sqlx::SqlitePool;

use crate::StoreError;

/// An authorizer as stored (tokens still sealed).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuthorizerRow {
    pub id: i64,
    pub authorizer_appid: String,
    pub company_id: i64,
    pub status: AuthorizerStatus,
    pub nick_name: Option<String>,
    pub head_img: Option<String>,
    pub user_name: Option<String>,
    pub principal_name: Option<String>,
    pub alias: Option<String>,
    pub qrcode_url: Option<String>,
    pub service_type: Option<i64>,
    pub verify_type: Option<i64>,
    pub is_mini_program: bool,
    /// JSON array of permission-set ids.
    pub func_info: String,
    pub refresh_token_sealed: Option<Vec<u8>>,
    pub access_token_sealed: Option<Vec<u8>>,
    pub access_token_expires_at: Option<i64>,
    pub refreshed_at: Option<i64>,
    pub last_error: Option<String>,
    pub authorized_at: i64,
    pub revoked_at: Option<i64>,
    pub updated_at: i64,
    /// Consecutive failed refreshes.
    pub failures: i64,
    /// No refresh before this (unix seconds) after failures.
    pub next_attempt_at: Option<i64>,
}

/// Where an authorizer stands with the platform, stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum AuthorizerStatus {
    /// Authorized; its tokens are kept fresh.
    Active,
    /// The merchant withdrew the authorization (history kept; a new one revives it).
    Revoked,
    /// Its refresh token no longer works: the merchant must authorize again.
    NeedsReauthorization,
}

/// What an exchanged authorization code gives us, ready to store.
#[derive(Debug, Clone)]
pub struct AuthorizationWrite<'a> {
    pub authorizer_appid: &'a str,
    pub company_id: i64,
    pub func_info_json: &'a str,
    pub refresh_token_sealed: &'a [u8],
    pub access_token_sealed: &'a [u8],
    pub access_token_expires_at: i64,
    pub code_hash: &'a str,
    pub invite_id: Option<i64>,
    pub now: i64,
}

/// How an authorization was stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizationStored {
    /// New, updated or revived under the requested company.
    Saved,
    /// The account belongs to another company: its tokens were saved (a refresh
    /// token is never dropped) but its company was left as it was.
    OwnedByAnotherCompany { company_id: i64 },
}

/// Public profile fields from `api_get_authorizer_info`.
#[derive(Debug, Clone, Default)]
pub struct AuthorizerProfile<'a> {
    pub nick_name: Option<&'a str>,
    pub head_img: Option<&'a str>,
    pub user_name: Option<&'a str>,
    pub principal_name: Option<&'a str>,
    pub alias: Option<&'a str>,
    pub qrcode_url: Option<&'a str>,
    pub service_type: Option<i64>,
    pub verify_type: Option<i64>,
    pub is_mini_program: bool,
    pub func_info_json: &'a str,
}

pub struct AuthorizerRepo<'a> {
    pool: &'a SqlitePool,
}

const COLUMNS: &str = "id, authorizer_appid, company_id, status, nick_name, head_img, user_name, \
     principal_name, alias, qrcode_url, service_type, verify_type, is_mini_program, func_info, \
     refresh_token_sealed, access_token_sealed, access_token_expires_at, refreshed_at, last_error, \
     authorized_at, revoked_at, updated_at, failures, next_attempt_at";

impl<'a> AuthorizerRepo<'a> {
    pub(crate) fn new(pool: &'a SqlitePool) -> Self {
        Self { pool }
    }

    /// The authorizer an authorization code was already exchanged for, if any.
    pub async fn code_used(&self, code_hash: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar::<_, String>(
            "SELECT authorizer_appid FROM authorization_codes WHERE code_hash = ?1",
        )
        .bind(code_hash)
        .fetch_optional(self.pool)
        .await?)
    }

    /// Stores an exchanged authorization in one transaction: the code as used,
    /// and the tokens with the authorizer (inserted, updated or revived).
    pub async fn save_authorization(
        &self,
        w: AuthorizationWrite<'_>,
    ) -> Result<AuthorizationStored, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO authorization_codes (code_hash, authorizer_appid, invite_id, used_at) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        )
        .bind(w.code_hash)
        .bind(w.authorizer_appid)
        .bind(w.invite_id)
        .bind(w.now)
        .execute(&mut *tx)
        .await?;
        let owner: Option<i64> =
            sqlx::query_scalar("SELECT company_id FROM authorizers WHERE authorizer_appid = ?1")
                .bind(w.authorizer_appid)
                .fetch_optional(&mut *tx)
                .await?;
        let stored = match owner {
            Some(company_id) if company_id != w.company_id => {
                sqlx::query(
                    "UPDATE authorizers SET refresh_token_sealed = ?2, access_token_sealed = ?3, \
                         access_token_expires_at = ?4, refreshed_at = ?5, updated_at = ?5 \
                     WHERE authorizer_appid = ?1",
                )
                .bind(w.authorizer_appid)
                .bind(w.refresh_token_sealed)
                .bind(w.access_token_sealed)
                .bind(w.access_token_expires_at)
                .bind(w.now)
                .execute(&mut *tx)
                .await?;
                AuthorizationStored::OwnedByAnotherCompany { company_id }
            }
            _ => {
                sqlx::query(
                    "INSERT INTO authorizers (authorizer_appid, company_id, status, func_info, \
                         refresh_token_sealed, access_token_sealed, access_token_expires_at, refreshed_at, \
                         authorized_at, updated_at) \
                     VALUES (?1, ?2, 'active', ?3, ?4, ?5, ?6, ?7, ?7, ?7) \
                     ON CONFLICT (authorizer_appid) DO UPDATE SET \
                         status = 'active', func_info = excluded.func_info, \
                         refresh_token_sealed = excluded.refresh_token_sealed, \
                         access_token_sealed = excluded.access_token_sealed, \
                         access_token_expires_at = excluded.access_token_expires_at, \
                         refreshed_at = excluded.refreshed_at, last_error = NULL, \
                         failures = 0, next_attempt_at = NULL, \
                         authorized_at = CASE WHEN authorizers.status = 'active' \
                             THEN authorizers.authorized_at ELSE excluded.authorized_at END, \
                         revoked_at = NULL, updated_at = excluded.updated_at",
                )
                .bind(w.authorizer_appid)
                .bind(w.company_id)
                .bind(w.func_info_json)
                .bind(w.refresh_token_sealed)
                .bind(w.access_token_sealed)
                .bind(w.access_token_expires_at)
                .bind(w.now)
                .execute(&mut *tx)
                .await?;
                AuthorizationStored::Saved
            }
        };
        tx.commit().await?;
        Ok(stored)
    }

    /// Stores the public profile from `api_get_authorizer_info`.
    pub async fn save_profile(
        &self,
        appid: &str,
        p: AuthorizerProfile<'_>,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE authorizers SET nick_name = ?2, head_img = ?3, user_name = ?4, principal_name = ?5, \
                 alias = ?6, qrcode_url = ?7, service_type = ?8, verify_type = ?9, is_mini_program = ?10, \
                 func_info = ?11, updated_at = ?12 \
             WHERE authorizer_appid = ?1",
        )
        .bind(appid)
        .bind(p.nick_name)
        .bind(p.head_img)
        .bind(p.user_name)
        .bind(p.principal_name)
        .bind(p.alias)
        .bind(p.qrcode_url)
        .bind(p.service_type)
        .bind(p.verify_type)
        .bind(p.is_mini_program)
        .bind(p.func_info_json)
        .bind(now)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    pub async fn by_appid(&self, appid: &str) -> Result<Option<AuthorizerRow>, StoreError> {
        Ok(sqlx::query_as::<_, AuthorizerRow>(&format!(
            "SELECT {COLUMNS} FROM authorizers WHERE authorizer_appid = ?1"
        ))
        .bind(appid)
        .fetch_optional(self.pool)
        .await?)
    }

    /// A company's authorizers, most recently authorized first.
    pub async fn for_company(&self, company_id: i64) -> Result<Vec<AuthorizerRow>, StoreError> {
        Ok(sqlx::query_as::<_, AuthorizerRow>(&format!(
            "SELECT {COLUMNS} FROM authorizers WHERE company_id = ?1 ORDER BY authorized_at DESC, id DESC"
        ))
        .bind(company_id)
        .fetch_all(self.pool)
        .await?)
    }

    /// Marks an authorizer revoked (it stays, with its history).
    /// A revoked authorizer that WeChat lists as authorized again (reconcile):
    /// active again, authorized as of `at`; `false` when it was not revoked.
    pub async fn revive(&self, appid: &str, at: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE authorizers SET status = 'active', revoked_at = NULL, authorized_at = ?2, \
                 failures = 0, next_attempt_at = NULL, last_error = NULL, updated_at = ?2 \
             WHERE authorizer_appid = ?1 AND status = 'revoked'",
        )
        .bind(appid)
        .bind(at)
        .execute(self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn mark_revoked(&self, appid: &str, at: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE authorizers SET status = 'revoked', revoked_at = ?2, updated_at = ?2 \
             WHERE authorizer_appid = ?1 AND status != 'revoked'",
        )
        .bind(appid)
        .bind(at)
        .execute(self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::{NewCompany, Store};

    async fn setup() -> (tempfile::TempDir, Store, i64, i64) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&format!("sqlite://{}", dir.path().join("a.db").display()))
            .await
            .unwrap();
        let at = datetime!(2026-01-01 0:00 UTC);
        let a = store
            .companies()
            .insert(NewCompany {
                name: "A",
                created_at: at,
            })
            .await
            .unwrap()
            .id;
        let b = store
            .companies()
            .insert(NewCompany {
                name: "B",
                created_at: at,
            })
            .await
            .unwrap()
            .id;
        (dir, store, a, b)
    }

    fn write(
        company_id: i64,
        code: &'static str,
        refresh: &'static [u8],
        now: i64,
    ) -> AuthorizationWrite<'static> {
        AuthorizationWrite {
            authorizer_appid: "wxacc",
            company_id,
            func_info_json: "[1,15]",
            refresh_token_sealed: refresh,
            access_token_sealed: b"access",
            access_token_expires_at: now + 7200,
            code_hash: code,
            invite_id: None,
            now,
        }
    }

    #[tokio::test]
    async fn an_authorization_is_saved_once_per_code_and_revived_after_revocation() {
        let (_dir, store, a, _) = setup().await;
        let repo = store.authorizers();
        assert_eq!(
            repo.save_authorization(write(a, "c1", b"r1", 10))
                .await
                .unwrap(),
            AuthorizationStored::Saved
        );
        assert_eq!(
            repo.code_used("c1").await.unwrap().as_deref(),
            Some("wxacc")
        );
        assert!(repo.mark_revoked("wxacc", 20).await.unwrap());
        assert_eq!(
            repo.by_appid("wxacc").await.unwrap().unwrap().status,
            AuthorizerStatus::Revoked
        );

        repo.save_authorization(write(a, "c2", b"r2", 30))
            .await
            .unwrap();
        let row = repo.by_appid("wxacc").await.unwrap().unwrap();
        assert_eq!(
            (row.status, row.revoked_at, row.id),
            (AuthorizerStatus::Active, None, 1)
        );
        assert_eq!(row.refresh_token_sealed.as_deref(), Some(&b"r2"[..]));
        assert_eq!(repo.for_company(a).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn an_account_of_another_company_keeps_its_company_but_gets_the_new_tokens() {
        let (_dir, store, a, b) = setup().await;
        let repo = store.authorizers();
        repo.save_authorization(write(a, "c1", b"r1", 10))
            .await
            .unwrap();
        let stored = repo
            .save_authorization(write(b, "c2", b"r2", 20))
            .await
            .unwrap();
        assert_eq!(
            stored,
            AuthorizationStored::OwnedByAnotherCompany { company_id: a }
        );
        let row = repo.by_appid("wxacc").await.unwrap().unwrap();
        assert_eq!(row.company_id, a);
        assert_eq!(row.refresh_token_sealed.as_deref(), Some(&b"r2"[..]));
        assert!(repo.for_company(b).await.unwrap().is_empty());
    }
}
