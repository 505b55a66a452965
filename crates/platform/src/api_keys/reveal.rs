//! Keys made in the dashboard: shown once, on the page the creation form leads
//! to. The form works without JavaScript, so the key cannot travel in the
//! form's answer; it waits sealed in the database for the admin who made it,
//! for [`REVEAL_SECS`], and reading it removes it.

use wechat::Secret;

use super::{ApiKeyError, ApiKeyInfo, KeyScope};
use crate::Platform;

/// How long a new key waits to be shown.
pub const REVEAL_SECS: i64 = 10 * 60;

impl Platform {
    /// Creates a key for `admin_id` to see once through [`Self::reveal_api_key`].
    pub async fn create_api_key_to_reveal(
        &self,
        admin_id: i64,
        name: &str,
        scope: &KeyScope,
        expires_at: Option<i64>,
    ) -> Result<ApiKeyInfo, ApiKeyError> {
        let created = self.api_keys().create(name, scope, expires_at).await?;
        let id = created.info.id;
        let sealed = self.vault.seal(&context(id), created.key.expose());
        let until = self.api_keys().clock().now() + REVEAL_SECS;
        self.store
            .api_keys()
            .set_reveal(id, admin_id, &sealed, until)
            .await?;
        Ok(created.info)
    }

    /// The key made by `admin_id`, once, within [`REVEAL_SECS`]; `None` after.
    pub async fn reveal_api_key(
        &self,
        admin_id: i64,
        id: i64,
    ) -> Result<Option<Secret>, ApiKeyError> {
        let now = self.api_keys().clock().now();
        let Some(sealed) = self.store.api_keys().take_reveal(id, admin_id, now).await? else {
            return Ok(None);
        };
        // A key that cannot be opened is as good as gone: the admin makes another.
        Ok(self.vault.open(&context(id), &sealed).ok().map(Secret::new))
    }
}

fn context(id: i64) -> String {
    format!("api_key_reveal:{id}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{admin, platform};

    #[tokio::test]
    async fn a_new_key_is_shown_once_to_its_admin_and_then_works() {
        let (_dir, platform) = platform().await;
        let (alice, bob) = (
            admin(&platform, "alice").await,
            admin(&platform, "bob").await,
        );
        let info = platform
            .create_api_key_to_reveal(alice, "crm", &KeyScope::everything(), None)
            .await
            .unwrap();
        assert_eq!(platform.reveal_api_key(bob, info.id).await.unwrap(), None);
        let key = platform
            .reveal_api_key(alice, info.id)
            .await
            .unwrap()
            .unwrap();
        assert!(key.expose().starts_with(&info.prefix));
        assert_eq!(
            platform.reveal_api_key(alice, info.id).await.unwrap(),
            None,
            "once"
        );
        let authenticated = platform
            .api_keys()
            .authenticate(key.expose())
            .await
            .unwrap();
        assert_eq!(authenticated.id, info.id);
    }

    #[tokio::test]
    async fn a_key_not_shown_within_ten_minutes_is_never_shown() {
        let (_dir, platform) = platform().await;
        let alice = admin(&platform, "alice").await;
        let info = platform
            .create_api_key_to_reveal(alice, "crm", &KeyScope::everything(), None)
            .await
            .unwrap();
        platform.api_keys().clock().advance(REVEAL_SECS);
        assert_eq!(platform.reveal_api_key(alice, info.id).await.unwrap(), None);
    }
}
