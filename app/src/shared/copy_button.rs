//! A button that copies a text to the clipboard: an island, so it is one of
//! the few pieces of the app that ship to the browser. Before the wasm loads
//! (or without JavaScript) the text beside it can be selected by hand.

use leptos::prelude::*;

use crate::i18n::Lang;

#[island]
pub fn CopyButton(
    text: String,
    #[prop(optional)] label: Option<String>,
    /// The language of the default label and of "copied" (zh-CN when not given).
    #[prop(optional)]
    lang: Option<Lang>,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let lang = lang.unwrap_or_default();
    let label = label.unwrap_or_else(|| lang.pick("复制链接", "Copy link").to_owned());
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let clipboard = window().navigator().clipboard();
            // The promise only fails when the page lacks clipboard permission.
            let _ = clipboard.write_text(&text);
            copied.set(true);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
    };
    view! {
        <button type="button" class="button" on:click=copy>
            {move || if copied.get() { lang.pick("已复制", "Copied").to_owned() } else { label.clone() }}
        </button>
    }
}
