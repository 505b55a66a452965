//! `auth_code_claims`: the lease an instance takes on an auth_code while it
//! exchanges it, so that instances sharing a database exchange each code once.

use crate::StoreError;
use crate::pool::{Pool, with_pool};

pub struct AuthCodeClaimRepo<'a> {
    pool: &'a Pool,
}

impl<'a> AuthCodeClaimRepo<'a> {
    pub(crate) fn new(pool: &'a Pool) -> Self {
        Self { pool }
    }

    /// Takes the claim on `code_hash` for `holder` until `until`, if nobody
    /// holds it or its holder's claim ran out before `now`. `false`: held.
    pub async fn claim(
        &self,
        code_hash: &str,
        holder: &str,
        now: i64,
        until: i64,
    ) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            let done = sqlx::query(
                "INSERT INTO auth_code_claims (code_hash, holder, until) VALUES ($1, $2, $4) \
                 ON CONFLICT (code_hash) DO UPDATE SET holder = excluded.holder, until = excluded.until \
                 WHERE auth_code_claims.until < $3",
            )
            .bind(code_hash)
            .bind(holder)
            .bind(now)
            .bind(until)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Gives the claim back (only `holder`'s).
    pub async fn release(&self, code_hash: &str, holder: &str) -> Result<(), StoreError> {
        with_pool!(self.pool, |pool| {
            sqlx::query("DELETE FROM auth_code_claims WHERE code_hash = $1 AND holder = $2")
                .bind(code_hash)
                .bind(holder)
                .execute(pool)
                .await?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::store;

    #[tokio::test]
    async fn one_holder_at_a_time_until_its_claim_runs_out_or_is_released() {
        let (_dir, store) = store().await;
        let claims = store.auth_code_claims();
        assert!(claims.claim("c", "a", 100, 130).await.unwrap());
        assert!(!claims.claim("c", "b", 110, 140).await.unwrap());
        assert!(
            !claims.claim("c", "b", 130, 160).await.unwrap(),
            "until is inclusive"
        );
        // A crashed holder's claim is taken over once it ran out.
        assert!(claims.claim("c", "b", 131, 161).await.unwrap());
        // Only the holder releases.
        claims.release("c", "a").await.unwrap();
        assert!(!claims.claim("c", "a", 140, 170).await.unwrap());
        claims.release("c", "b").await.unwrap();
        assert!(claims.claim("c", "a", 140, 170).await.unwrap());
        assert!(claims.claim("other", "b", 140, 170).await.unwrap());
    }
}
