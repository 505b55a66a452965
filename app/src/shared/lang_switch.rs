//! The link that switches a merchant-facing page between Chinese and English.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::i18n::Lang;

#[component]
pub fn LangSwitch(lang: Lang) -> impl IntoView {
    let location = use_location();
    let other = lang.other();
    let href = move || format!("{}?lang={}", location.pathname.get(), other.code());
    view! {
        <p class="lang-switch">
            <a href=href hreflang=other.code()>{other.pick("中文", "English")}</a>
        </p>
    }
}
