//! The page for unknown paths.

use crate::shared::public_layout::PublicLayout;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <PublicLayout>
            <section class="card">
                <h1>"页面不存在"</h1>
                <p>"这个地址没有内容。请检查链接是否完整。"</p>
            </section>
        </PublicLayout>
    }
}
