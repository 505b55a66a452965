//! A button that copies a text to the clipboard (after hydration; before it,
//! the text beside it can be selected by hand).

use leptos::prelude::*;

#[component]
pub fn CopyButton(text: String, #[prop(optional)] label: Option<&'static str>) -> impl IntoView {
    let copied = RwSignal::new(false);
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
            {move || if copied.get() { "已复制" } else { label.unwrap_or("复制链接") }}
        </button>
    }
}
