//! Photo thumbnails. The core keeps the photos; the UI asks for each as a `data:` URL once
//! and keeps it for the life of the page.

use crate::i18n::tr_with;
use crate::ipc::call;
use leptos::prelude::*;
use linli_api::PhotoId;
use linli_api::ipc::{LocalPhoto, Request, Response};
use std::cell::RefCell;
use std::collections::HashMap;

thread_local! {
    static URLS: RefCell<HashMap<PhotoId, String>> = RefCell::new(HashMap::new());
}

async fn photo_url(id: PhotoId) -> Option<String> {
    if let Some(url) = URLS.with_borrow(|u| u.get(&id).cloned()) {
        return Some(url);
    }
    match call(Request::Photo { photo_id: id }).await {
        Ok(Response::Photo(url)) => {
            URLS.with_borrow_mut(|u| u.insert(id, url.clone()));
            Some(url)
        }
        _ => None,
    }
}

/// One photo, numbered from 1 for its description.
#[component]
pub fn Thumb(
    /// The photo.
    photo: LocalPhoto,
    /// Its place in the report, from 1.
    number: usize,
) -> impl IntoView {
    let id = photo.id;
    let url = LocalResource::new(move || photo_url(id));
    view! {
        <img
            class="thumb-img"
            src=move || url.get().flatten()
            width=photo.width
            height=photo.height
            alt=move || tr_with("report-photo-alt", &[("index", number.into())])
        />
    }
}
