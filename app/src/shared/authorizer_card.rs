//! An authorized account: avatar, name, kind, verification, principal, and
//! its permission sets with the required-but-missing ones called out.

use leptos::prelude::*;

use crate::shared::views::AuthorizerView;

#[component]
pub fn AuthorizerCard(authorizer: AuthorizerView) -> impl IntoView {
    let AuthorizerView {
        authorizer_appid,
        nick_name,
        head_img,
        kind,
        service,
        verification,
        principal_name,
        status,
        active,
        permissions,
        missing_required,
        authorized_at,
        lang,
    } = authorizer;
    let t = move |zh, en| lang.pick(zh, en);
    let initial = nick_name.chars().next().unwrap_or('?').to_string();
    view! {
        <article class="authorizer" aria-label=nick_name.clone()>
            <div class="authorizer-head">
                {match head_img {
                    // WeChat's image host refuses requests that carry our Referer.
                    Some(src) => view! { <img class="avatar" src=src alt="" referrerpolicy="no-referrer" /> }.into_any(),
                    None => view! { <span class="avatar placeholder" aria-hidden="true">{initial}</span> }.into_any(),
                }}
                <div>
                    <h3 class="authorizer-name">{nick_name.clone()}</h3>
                    <p class="muted">
                        <span class="tag">{kind}</span>
                        {service.map(|s| view! { <span class="tag">{s}</span> })}
                        <span class="tag">{verification}</span>
                        <span class=if active { "tag ok" } else { "tag warn" }>{status}</span>
                    </p>
                </div>
            </div>
            <dl class="facts">
                <dt>{t("主体名称", "Principal")}</dt>
                <dd>{principal_name.unwrap_or_else(|| "—".into())}</dd>
                <dt>"AppID"</dt>
                <dd><code>{authorizer_appid}</code></dd>
                <dt>{t("授权时间", "Authorized at")}</dt>
                <dd>{authorized_at}</dd>
            </dl>
            <h4>{t("已授权的权限集", "Permission sets granted")}</h4>
            <ul class="permissions" aria-label=t("已授权的权限集", "Permission sets granted")>
                {permissions
                    .into_iter()
                    .map(|p| view! { <li class:required=p.required>{p.name}</li> })
                    .collect_view()}
            </ul>
            {(!missing_required.is_empty()).then(|| view! {
                <p class="notice error" role="alert">
                    {t("缺少必需的权限集：", "Required permission sets missing: ")}
                    {missing_required.join(t("、", ", "))}
                    {t("。请重新授权并勾选这些权限。", ". Please authorize again and tick them.")}
                </p>
            })}
        </article>
    }
}
