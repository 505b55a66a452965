//! `pre_auth_codes`: the codes this platform created for invites' authorization
//! links, kept to reuse a valid one and to find the invite behind an
//! `authorized` push's `PreAuthCode`.

use crate::StoreError;
use crate::pool::{Pool, with_pool};

/// Which authorization page a code's link opens, stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum LinkDevice {
    Pc,
    Mobile,
}

/// A stored pre_auth_code.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PreAuthCodeRow {
    pub id: i64,
    pub code_sealed: Vec<u8>,
    pub invite_id: i64,
    pub device: LinkDevice,
    pub created_at: i64,
    pub expires_at: i64,
    pub consumed_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewPreAuthCode<'a> {
    pub code_hash: &'a str,
    pub code_sealed: &'a [u8],
    pub invite_id: i64,
    pub device: LinkDevice,
    pub created_at: i64,
    pub expires_at: i64,
}

pub struct PreAuthCodeRepo<'a> {
    pool: &'a Pool,
}

const SELECT: &str = "SELECT id, code_sealed, invite_id, device, created_at, expires_at, consumed_at \
     FROM pre_auth_codes";

impl<'a> PreAuthCodeRepo<'a> {
    pub(crate) fn new(pool: &'a Pool) -> Self {
        Self { pool }
    }

    pub async fn insert(&self, new: NewPreAuthCode<'_>) -> Result<i64, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_scalar::<_, i64>(
            "INSERT INTO pre_auth_codes (code_hash, code_sealed, invite_id, device, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(new.code_hash)
        .bind(new.code_sealed)
        .bind(new.invite_id)
        .bind(new.device)
        .bind(new.created_at)
        .bind(new.expires_at)
        .fetch_one(pool)
        .await?)
        })
    }

    /// The newest code created for any invite: WeChat may void older codes
    /// when it creates one, so only the newest is ever reused.
    pub async fn newest(&self) -> Result<Option<PreAuthCodeRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, PreAuthCodeRow>(&format!(
                "{SELECT} ORDER BY created_at DESC, id DESC LIMIT 1"
            ))
            .fetch_optional(pool)
            .await?)
        })
    }

    /// How many codes were created for an invite since `since`.
    pub async fn created_for_invite_since(
        &self,
        invite_id: i64,
        since: i64,
    ) -> Result<i64, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM pre_auth_codes WHERE invite_id = $1 AND created_at >= $2",
            )
            .bind(invite_id)
            .bind(since)
            .fetch_one(pool)
            .await?)
        })
    }

    /// The invite whose link carried this code.
    pub async fn invite_of(&self, code_hash: &str) -> Result<Option<i64>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_scalar::<_, i64>(
                "SELECT invite_id FROM pre_auth_codes WHERE code_hash = $1",
            )
            .bind(code_hash)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// An authorization came back for the invite: its codes are not reused
    /// (WeChat may consume a code when it is used).
    pub async fn consume_for_invite(&self, invite_id: i64, at: i64) -> Result<(), StoreError> {
        with_pool!(self.pool, |pool| {
            sqlx::query(
            "UPDATE pre_auth_codes SET consumed_at = $2 WHERE invite_id = $1 AND consumed_at IS NULL",
        )
        .bind(invite_id)
        .bind(at)
        .execute(pool)
        .await?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{LinkDevice, NewPreAuthCode};
    use crate::{NewCompany, NewInvite, Store};

    #[tokio::test]
    async fn codes_are_found_by_hash_counted_per_invite_and_consumed_per_invite() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&crate::testing::database_url(dir.path()).await)
            .await
            .unwrap();
        let company = store
            .companies()
            .insert(NewCompany {
                name: "甲",
                created_at: time::OffsetDateTime::UNIX_EPOCH,
            })
            .await
            .unwrap()
            .id;
        let mut invites = Vec::new();
        for n in 0..2 {
            let hash = format!("h{n}");
            invites.push(
                store
                    .invites()
                    .insert(NewInvite {
                        company_id: company,
                        token_hash: &hash,
                        token_sealed: b"t",
                        auth_type: 3,
                        biz_appid: None,
                        created_at: 1,
                        expires_at: 100,
                        note: None,
                        allows_fast_registration: false,
                    })
                    .await
                    .unwrap(),
            );
        }
        let codes = store.pre_auth_codes();
        for (hash, invite, at) in [
            ("c1", invites[0], 10),
            ("c2", invites[0], 20),
            ("c3", invites[1], 30),
        ] {
            codes
                .insert(NewPreAuthCode {
                    code_hash: hash,
                    code_sealed: hash.as_bytes(),
                    invite_id: invite,
                    device: LinkDevice::Pc,
                    created_at: at,
                    expires_at: at + 1800,
                })
                .await
                .unwrap();
        }
        assert_eq!(codes.invite_of("c2").await.unwrap(), Some(invites[0]));
        assert_eq!(codes.invite_of("c3").await.unwrap(), Some(invites[1]));
        assert_eq!(codes.invite_of("nope").await.unwrap(), None);
        assert_eq!(
            codes
                .created_for_invite_since(invites[0], 10)
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            codes
                .created_for_invite_since(invites[0], 11)
                .await
                .unwrap(),
            1
        );
        let newest = codes.newest().await.unwrap().unwrap();
        assert_eq!(
            (newest.code_sealed, newest.consumed_at),
            (b"c3".to_vec(), None)
        );
        codes.consume_for_invite(invites[1], 40).await.unwrap();
        assert_eq!(codes.newest().await.unwrap().unwrap().consumed_at, Some(40));
    }
}
