//! The pre_auth_codes behind authorization links. `api_create_preauthcode` has
//! a daily quota, so a code is reused for the same invite and device while it
//! is still valid for a while. Whether WeChat accepts a code twice, and whether
//! a new code voids the older ones, is not documented (protocol details §13.3):
//! a code is reused only while it is the platform's newest, and never after an
//! authorization came back for its invite. That holds under every reading; the
//! emulator's switches test each. New codes per invite are limited per hour.

use store::{LinkDevice, NewPreAuthCode, PreAuthCodeRow};
use wechat::Secret;

use super::authorize::{Device, OnboardingError};
use super::invites::Invite;
use super::{Onboarding, sha256_hex};

/// A reused code must stay valid this long: the merchant still has to scan and confirm.
pub const REUSE_MARGIN_SECS: i64 = 15 * 60;
/// New codes one invite may create per hour; more attempts are refused.
pub const MAX_NEW_CODES_PER_HOUR: i64 = 20;
/// WeChat's documented lifetime, used when an answer has none.
const DEFAULT_LIFETIME_SECS: i64 = 1800;

/// Whether `newest` (the platform's newest code) can serve this invite and device at `now`.
pub fn reusable(newest: &PreAuthCodeRow, invite_id: i64, device: LinkDevice, now: i64) -> bool {
    newest.invite_id == invite_id
        && newest.device == device
        && newest.consumed_at.is_none()
        && newest.expires_at - now >= REUSE_MARGIN_SECS
}

impl From<Device> for LinkDevice {
    fn from(device: Device) -> Self {
        match device {
            Device::Pc => LinkDevice::Pc,
            Device::Mobile => LinkDevice::Mobile,
        }
    }
}

/// A code for a link, and until when it is valid.
pub(super) struct PreAuthCode {
    pub code: Secret,
    pub expires_at: i64,
}

impl Onboarding<'_> {
    /// The code for an invite's link: the reusable one, or a new one within the hourly limit.
    pub(super) async fn pre_auth_code_for(
        &self,
        invite: &Invite,
        device: Device,
    ) -> Result<PreAuthCode, OnboardingError> {
        let device = LinkDevice::from(device);
        let now = self.component.clock().now();
        let codes = self.store.pre_auth_codes();
        if let Some(newest) = codes.newest().await?
            && reusable(&newest, invite.id, device, now)
        {
            let code = self.vault.open("pre_auth_code", &newest.code_sealed)?;
            return Ok(PreAuthCode {
                code: Secret::new(code),
                expires_at: newest.expires_at,
            });
        }
        if codes
            .created_for_invite_since(invite.id, now - 3600)
            .await?
            >= MAX_NEW_CODES_PER_HOUR
        {
            return Err(OnboardingError::TooManyLinks);
        }
        let client = self.component.client();
        let answer = self
            .component
            .with_component_token(
                |token| async move { client.api_create_preauthcode(&token).await },
            )
            .await
            .map_err(OnboardingError::from_call)?;
        let code = answer.pre_auth_code;
        let lifetime = i64::try_from(answer.expires_in)
            .ok()
            .filter(|secs| (1..=DEFAULT_LIFETIME_SECS).contains(secs))
            .unwrap_or(DEFAULT_LIFETIME_SECS);
        let expires_at = now + lifetime;
        codes
            .insert(NewPreAuthCode {
                code_hash: &sha256_hex(code.expose()),
                code_sealed: &self.vault.seal("pre_auth_code", code.expose()),
                invite_id: invite.id,
                device,
                created_at: now,
                expires_at,
            })
            .await?;
        Ok(PreAuthCode { code, expires_at })
    }

    /// The invite whose link carried `pre_auth_code` (an `authorized` push's `PreAuthCode`).
    pub(crate) async fn invite_of_pre_auth_code(
        &self,
        pre_auth_code: &str,
    ) -> Result<Option<Invite>, OnboardingError> {
        let Some(invite_id) = self
            .store
            .pre_auth_codes()
            .invite_of(&sha256_hex(pre_auth_code))
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(self.invite_by_id(invite_id).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::{REUSE_MARGIN_SECS, reusable};
    use store::{LinkDevice, PreAuthCodeRow};

    fn newest() -> PreAuthCodeRow {
        PreAuthCodeRow {
            id: 1,
            code_sealed: Vec::new(),
            invite_id: 7,
            device: LinkDevice::Pc,
            created_at: 0,
            expires_at: 1800,
            consumed_at: None,
        }
    }

    #[test]
    fn the_newest_code_serves_its_own_invite_and_device_until_the_margin() {
        // 15 minutes before the code's end.
        let last_moment = 1800 - 900;
        assert_eq!(last_moment, 1800 - REUSE_MARGIN_SECS);
        assert!(reusable(&newest(), 7, LinkDevice::Pc, last_moment));
        assert!(!reusable(&newest(), 7, LinkDevice::Pc, last_moment + 1));
        assert!(!reusable(&newest(), 8, LinkDevice::Pc, 0), "another invite");
        assert!(
            !reusable(&newest(), 7, LinkDevice::Mobile, 0),
            "another device"
        );
        let consumed = PreAuthCodeRow {
            consumed_at: Some(5),
            ..newest()
        };
        assert!(
            !reusable(&consumed, 7, LinkDevice::Pc, 0),
            "an authorization came back"
        );
    }
}
