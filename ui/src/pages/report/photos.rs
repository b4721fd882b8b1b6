//! Photo thumbnails. The core keeps the photos; the UI asks for each as a `data:` URL and
//! keeps the most recent few, so a list or a form redrawn on an event does not ask again.
//! The cache is emptied when the session changes: one person's photos are not kept in memory
//! for the next.

use crate::i18n::tr_with;
use crate::ipc::call;
use leptos::prelude::*;
use linli_api::PhotoId;
use linli_api::ipc::{LocalPhoto, Request, Response};
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};

/// Enough for a full form and a screen of reports; each URL is a resized JPEG of some 100 kB.
const KEEP: usize = 24;

#[derive(Default)]
struct Cache {
    urls: HashMap<PhotoId, String>,
    /// Oldest first, for dropping the oldest when full.
    order: VecDeque<PhotoId>,
    /// Bumped on every clear, so an answer asked for before it is not stored after it.
    epoch: u64,
}

impl Cache {
    fn insert(&mut self, id: PhotoId, url: String) {
        if self.urls.insert(id, url).is_none() {
            self.order.push_back(id);
        }
        while self.order.len() > KEEP {
            if let Some(old) = self.order.pop_front() {
                self.urls.remove(&old);
            }
        }
    }
}

thread_local! {
    static URLS: RefCell<Cache> = RefCell::new(Cache::default());
}

/// Forgets every photo shown so far (on sign-in, sign-out and expiry).
pub fn forget_photos() {
    URLS.with_borrow_mut(|c| {
        c.urls.clear();
        c.order.clear();
        c.epoch += 1;
    });
}

async fn photo_url(id: PhotoId) -> Option<String> {
    let (cached, epoch) = URLS.with_borrow(|c| (c.urls.get(&id).cloned(), c.epoch));
    if cached.is_some() {
        return cached;
    }
    match call(Request::Photo { photo_id: id }).await {
        Ok(Response::Photo(url)) => {
            URLS.with_borrow_mut(|c| {
                if c.epoch == epoch {
                    c.insert(id, url.clone());
                }
            });
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

/// A photo known only by its id (staff's photos of a fix, comment photos): the core fetches
/// it from the platform and keeps it. Sized by CSS, as its size is not known here.
#[component]
pub fn PhotoById(
    /// The photo.
    id: PhotoId,
    /// Its place among the photos shown together, from 1.
    number: usize,
) -> impl IntoView {
    let url = LocalResource::new(move || photo_url(id));
    view! {
        <img
            class="thumb-img"
            src=move || url.get().flatten()
            alt=move || tr_with("report-photo-alt", &[("index", number.into())])
        />
    }
}
