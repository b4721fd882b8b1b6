//! The report form, for a new report and for changing a draft or a rejected one.
//!
//! What the resident types lives in signals that nothing else rewrites, so errors from the
//! core, events and re-renders never lose it; and it is saved on the device shortly after each
//! change, so it does not live only in this page (which a crash, a restart or leaving the page
//! would lose). The draft is created the first time there is something to keep.
//!
//! In elderly mode (长辈版) the same form asks one question per step, with large "next" and
//! "back" buttons and a last step that shows everything before it is sent. The steps only hide
//! parts of one form, so going back finds every answer as it was left.

use super::photos::Thumb;
use super::{file_base64, load_failed_view};
use crate::components::{ErrorNotice, FieldErrors, Loading, described_by, errors_for, invalid};
use crate::i18n::{error_text, field_error_text, language, t, tr, tr_with};
use crate::icons::{Icon, Svg};
use crate::ipc::{call, unexpected};
use crate::state::use_app;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use linli_api::ipc::{LocalPhoto, LocalReport, Request, Response};
use linli_api::platform::{EmergencyNumber, SimilarReport};
use linli_api::validate::{DESCRIPTION_MAX_CHARS, MAX_PHOTOS, validate_draft};
use linli_api::{
    ApiError, BuildingId, CommonAreaId, ErrorCode, FieldError, Place, ReportDraft, ReportId,
    ReportVisibility, UnitId, Urgency,
};
use linli_i18n::ids;
use std::sync::Arc;
use std::time::Duration;
use wasm_bindgen::JsCast;

/// `/report/new`: an empty form.
#[component]
pub fn NewReport() -> impl IntoView {
    view! { <ReportForm existing=None /> }
}

/// `/reports/:id/edit`: the form filled with a draft or a rejected report.
#[component]
pub fn EditReport() -> impl IntoView {
    let params = use_params_map();
    let id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<ReportId>().ok())));
    // Loaded once per id and not refetched on events, which would reset what is being typed.
    let report = LocalResource::new(move || {
        let id = id.get();
        async move {
            match id {
                Some(id) => call(Request::Report { id }).await,
                None => Err(ApiError::new(ErrorCode::NotFound, "no such report id")),
            }
        }
    });
    move || match report.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Ok(Response::Report(r))) if r.delivery.is_editable() => {
            view! { <ReportForm existing=Some(r) /> }.into_any()
        }
        Some(Ok(Response::Report(r))) => view! {
            <section class="page">
                <h1>{t("report-edit-title")}</h1>
                <ErrorNotice error=ApiError::new(ErrorCode::AlreadySent, "") />
                <p>
                    <a class="button" href=format!("/reports/{}", r.id)>
                        {t("report-detail-title")}
                    </a>
                </p>
            </section>
        }
        .into_any(),
        Some(Ok(other)) => load_failed_view(t("report-edit-title"), unexpected(&other)),
        Some(Err(e)) => load_failed_view(t("report-edit-title"), e),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PlaceKind {
    Unit,
    Building,
    CommonArea,
}

#[derive(Clone, Debug, PartialEq)]
enum Notice {
    Saved,
    FixFields(usize),
    Rejected(ApiError),
    Failed(ApiError),
}

fn is_category(f: &str) -> bool {
    f == "category"
}
fn is_description(f: &str) -> bool {
    f == "description"
}
fn is_place(f: &str) -> bool {
    f == "place" || (f.starts_with("place.") && f != "place.spot")
}
fn is_spot(f: &str) -> bool {
    f == "place.spot"
}
fn is_urgency(f: &str) -> bool {
    f == "urgency"
}
fn is_visibility(f: &str) -> bool {
    f == "visibility"
}
fn is_photos(f: &str) -> bool {
    f == "photos" || f.starts_with("photos.") || f.starts_with("photo_ids")
}
fn is_place_or_spot(f: &str) -> bool {
    is_place(f) || is_spot(f)
}

/// One question of the form, as elderly mode asks them: one per step, in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Category,
    /// Asked before the description, so a report neighbours already made is offered before
    /// the resident writes theirs.
    Place,
    Description,
    Urgency,
    Visibility,
    Photos,
    /// Everything at a glance, then send.
    Review,
}

const STEPS: [Step; 7] = [
    Step::Category,
    Step::Place,
    Step::Description,
    Step::Urgency,
    Step::Visibility,
    Step::Photos,
    Step::Review,
];

impl Step {
    /// Which field errors this step answers for.
    fn owns(self) -> fn(&str) -> bool {
        match self {
            Step::Category => is_category,
            Step::Description => is_description,
            Step::Place => is_place_or_spot,
            Step::Urgency => is_urgency,
            Step::Visibility => is_visibility,
            Step::Photos => is_photos,
            Step::Review => is_other,
        }
    }
}

/// The first step holding one of `errors`, where the person is taken to mend it.
fn first_step_with(errors: &[FieldError]) -> Option<usize> {
    STEPS
        .iter()
        .position(|step| errors.iter().any(|e| step.owns()(&e.field)))
}

/// Errors about a field this form does not show: listed at the top rather than lost.
fn is_other(f: &str) -> bool {
    ![
        is_category,
        is_description,
        is_place,
        is_spot,
        is_urgency,
        is_visibility,
        is_photos,
    ]
    .iter()
    .any(|p| p(f))
}

/// How long after the last change the form saves itself.
const AUTOSAVE_AFTER: Duration = Duration::from_millis(1200);

/// The form was closed while a save waited; nothing is shown, as nobody is looking.
fn form_gone() -> ApiError {
    ApiError::new(ErrorCode::Internal, "the report form was closed")
}

fn id_text<T: std::fmt::Display>(v: T) -> String {
    v.to_string()
}

#[component]
fn ReportForm(existing: Option<LocalReport>) -> impl IntoView {
    let state = use_app();
    let navigate = use_navigate();
    let is_edit = existing.is_some();
    let (report_id, draft, initial_photos, rejected) = match existing {
        Some(r) => {
            let rejected = match r.delivery {
                linli_api::ipc::Delivery::Rejected { error } => Some(error),
                _ => None,
            };
            (Some(r.id), r.draft, r.photos, rejected)
        }
        None => (None, ReportDraft::default(), Vec::new(), None),
    };

    let id = RwSignal::new(report_id);
    // This form, to the core: one draft is never open in two forms at once.
    let editor = StoredValue::new(uuid::Uuid::now_v7().to_string());
    let held_elsewhere = RwSignal::new(false);
    let category = RwSignal::new(draft.category.clone().unwrap_or_default());
    let description = RwSignal::new(draft.description.clone());
    let (kind0, unit0, building0, building_spot0, area0, area_spot0) = match &draft.place {
        Some(Place::Unit { unit_id }) => (
            Some(PlaceKind::Unit),
            id_text(unit_id),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
        ),
        Some(Place::Building { building_id, spot }) => (
            Some(PlaceKind::Building),
            "".into(),
            id_text(building_id),
            spot.clone(),
            "".into(),
            "".into(),
        ),
        Some(Place::CommonArea { area_id, spot }) => (
            Some(PlaceKind::CommonArea),
            "".into(),
            "".into(),
            "".into(),
            id_text(area_id),
            spot.clone(),
        ),
        None => (
            None,
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ),
    };
    let kind = RwSignal::new(kind0);
    let unit = RwSignal::new(unit0);
    let building = RwSignal::new(building0);
    let building_spot = RwSignal::new(building_spot0);
    let area = RwSignal::new(area0);
    let area_spot = RwSignal::new(area_spot0);
    let urgency = RwSignal::new(draft.urgency);
    let visibility = RwSignal::new(draft.visibility);
    let photos: RwSignal<Vec<LocalPhoto>> = RwSignal::new(initial_photos);
    // Puts a saved draft back on the form (after taking it over from another form).
    let apply_draft = move |d: &ReportDraft| {
        category.try_set(d.category.clone().unwrap_or_default());
        description.try_set(d.description.clone());
        urgency.try_set(d.urgency);
        visibility.try_set(d.visibility);
        match &d.place {
            Some(Place::Unit { unit_id }) => {
                kind.try_set(Some(PlaceKind::Unit));
                unit.try_set(unit_id.to_string());
            }
            Some(Place::Building { building_id, spot }) => {
                kind.try_set(Some(PlaceKind::Building));
                building.try_set(building_id.to_string());
                building_spot.try_set(spot.clone());
            }
            Some(Place::CommonArea { area_id, spot }) => {
                kind.try_set(Some(PlaceKind::CommonArea));
                area.try_set(area_id.to_string());
                area_spot.try_set(spot.clone());
            }
            None => {}
        }
    };

    let errors: RwSignal<Vec<FieldError>> = RwSignal::new(
        rejected
            .as_ref()
            .map(|e| e.fields.clone())
            .unwrap_or_default(),
    );
    // A rejected report was sent once: deleting it is not a draft's "discard".
    let was_rejected = rejected.is_some();
    let notice: RwSignal<Option<Notice>> = RwSignal::new(rejected.map(Notice::Rejected));
    let busy = RwSignal::new(false);
    let adding = RwSignal::new(0usize);
    let skipped = RwSignal::new(0usize);
    let confirm_discard = RwSignal::new(false);
    let notice_ref = NodeRef::<leptos::html::Div>::new();
    // Elderly mode asks one question per step; `step` indexes STEPS.
    let wizard = Memo::new(move |_| state.elderly_mode());
    let step = RwSignal::new(0usize);
    let step_ref = NodeRef::<leptos::html::H2>::new();
    // An emergency category stops the form: the numbers to call come before anything else.
    let emergency = Memo::new(move |_| {
        let code = category.get();
        state.catalogue.with(|c| {
            c.as_ref().is_some_and(|c| {
                c.categories
                    .iter()
                    .any(|cat| cat.code == code && cat.emergency)
            })
        })
    });
    let emergency_ack = RwSignal::new(false);
    Effect::new(move |_| {
        category.track();
        emergency_ack.set(false);
    });
    let blocked = move || emergency.get() && !emergency_ack.get();
    let hides = move |which: Step| {
        move || {
            (wizard.get() && STEPS[step.get()] != which) || (which != Step::Category && blocked())
        }
    };

    // Sensible defaults once the catalogue is known, never over a choice already made.
    Effect::new(move |_| {
        state.catalogue.with(|c| {
            let Some(c) = c else { return };
            if kind.get_untracked().is_none() && !c.units.is_empty() {
                kind.set(Some(PlaceKind::Unit));
            }
            if unit.get_untracked().is_empty() && c.units.len() == 1 {
                unit.set(c.units[0].id.to_string());
            }
        })
    });

    let current_draft = move || -> ReportDraft {
        let place = match kind.get_untracked() {
            Some(PlaceKind::Unit) => unit
                .get_untracked()
                .parse()
                .ok()
                .map(|u| Place::Unit { unit_id: UnitId(u) }),
            Some(PlaceKind::Building) => {
                building
                    .get_untracked()
                    .parse()
                    .ok()
                    .map(|b| Place::Building {
                        building_id: BuildingId(b),
                        spot: building_spot.get_untracked(),
                    })
            }
            Some(PlaceKind::CommonArea) => {
                area.get_untracked()
                    .parse()
                    .ok()
                    .map(|a| Place::CommonArea {
                        area_id: CommonAreaId(a),
                        spot: area_spot.get_untracked(),
                    })
            }
            None => None,
        };
        ReportDraft {
            category: Some(category.get_untracked()).filter(|c| !c.is_empty()),
            description: description.get_untracked(),
            place,
            urgency: urgency.get_untracked(),
            visibility: visibility.get_untracked(),
            photo_ids: photos.with_untracked(|p| p.iter().map(|p| p.id).collect()),
        }
    };

    // Creates the draft on the device if needed, then saves what is on the form. Run only
    // under `save_lock`. The form is read before the first await: after it, the resident may
    // have left the page and its signals be gone.
    let save_unlocked = move || {
        let known = id.try_get_untracked();
        let draft = known.is_some().then(current_draft);
        let editor_id = editor.try_get_value();
        async move {
            let (Some(known), Some(draft)) = (known, draft) else {
                return Err(form_gone());
            };
            let report_id = match known {
                Some(existing) => existing,
                None => match call(Request::NewDraft).await? {
                    Response::Report(r) => {
                        id.set(Some(r.id));
                        if let Some(editor) = editor_id.clone() {
                            call(Request::HoldDraft {
                                id: r.id,
                                editor,
                                take_over: false,
                            })
                            .await?;
                        }
                        r.id
                    }
                    other => return Err(unexpected(&other)),
                },
            };
            let saved = call(Request::SaveDraft {
                id: report_id,
                draft,
                editor: editor_id,
            })
            .await;
            if matches!(&saved, Err(e) if e.code == ErrorCode::DraftOpenElsewhere) {
                held_elsewhere.try_set(true);
            }
            match saved? {
                Response::Report(r) => Ok(r),
                other => Err(unexpected(&other)),
            }
        }
    };
    // One save at a time, so creating the draft is single-flight: whoever comes second (a
    // photo chosen while Save runs, an autosave, Send) finds the id the first one set, and no
    // second, orphan draft is made.
    let save_lock = StoredValue::new(Arc::new(futures_util::lock::Mutex::new(())));
    // Bumped by every change and every explicit save; an autosave still waiting with an older
    // number has been overtaken and does nothing.
    let autosave_turn = RwSignal::new(0u64);
    let save = move || async move {
        autosave_turn.try_update(|n| *n += 1);
        let lock = save_lock.try_get_value().ok_or_else(form_gone)?;
        let _one_at_a_time = lock.lock().await;
        save_unlocked().await
    };

    // Saves soon after the resident changes anything, without a notice: the words are on the
    // device even if the session expires, the app closes or the page is left. Errors are not
    // shown here: the form keeps everything, and Save and Send report them where they can be
    // acted on.
    Effect::new(move |ran_before: Option<()>| {
        // Both read every time (no `||` short cut), so both stay tracked: a change to the
        // description must save even once a category is chosen.
        let has_category = category.with(|c| !c.is_empty());
        let has_description = description.with(|d| !d.trim().is_empty());
        let has_words = has_category || has_description;
        kind.track();
        unit.track();
        building.track();
        building_spot.track();
        area.track();
        area_spot.track();
        urgency.track();
        visibility.track();
        // Not on opening the form, and a new form holding only the defaults the catalogue
        // filled in is not worth a draft.
        if ran_before.is_none() || (id.get_untracked().is_none() && !has_words) {
            return;
        }
        let turn = autosave_turn.get_untracked() + 1;
        autosave_turn.set(turn);
        set_timeout(
            move || {
                if autosave_turn.try_get_untracked() != Some(turn) {
                    return;
                }
                spawn_local(async move {
                    let Some(lock) = save_lock.try_get_value() else {
                        return;
                    };
                    let _one_at_a_time = lock.lock().await;
                    if autosave_turn.try_get_untracked() == Some(turn) {
                        let _ = save_unlocked().await;
                    }
                });
            },
            AUTOSAVE_AFTER,
        );
    });

    // Holds the draft while this form is open (renewed each minute, as a hold lapses after two
    // quiet minutes), and lets go when the form closes.
    let hold = move |take_over: bool| {
        let (Some(Some(draft_id)), Some(editor_id)) =
            (id.try_get_untracked(), editor.try_get_value())
        else {
            return;
        };
        spawn_local(async move {
            match call(Request::HoldDraft {
                id: draft_id,
                editor: editor_id,
                take_over,
            })
            .await
            {
                Ok(Response::Report(r)) if take_over => {
                    // The other form may have changed it: continue from what is saved.
                    apply_draft(&r.draft);
                    photos.try_set(r.photos);
                    held_elsewhere.try_set(false);
                }
                Ok(_) => {
                    held_elsewhere.try_set(false);
                }
                Err(e) if e.code == ErrorCode::DraftOpenElsewhere => {
                    held_elsewhere.try_set(true);
                }
                Err(_) => {}
            }
        });
    };
    hold(false);
    let renew = set_interval_with_handle(move || hold(false), Duration::from_secs(60)).ok();
    on_cleanup(move || {
        if let Some(renew) = renew {
            renew.clear();
        }
        if let (Some(Some(draft_id)), Some(editor_id)) =
            (id.try_get_untracked(), editor.try_get_value())
        {
            spawn_local(async move {
                let _ = call(Request::ReleaseDraft {
                    id: draft_id,
                    editor: editor_id,
                })
                .await;
            });
        }
    });

    let focus_notice = move || {
        request_animation_frame(move || {
            if let Some(el) = notice_ref.get_untracked() {
                let _ = el.focus();
            }
        })
    };
    // Moves to another step and puts focus on its heading, so the question is read first.
    let go_to_step = move |index: usize| {
        step.set(index.min(STEPS.len() - 1));
        request_animation_frame(move || {
            if let Some(el) = step_ref.get_untracked() {
                let _ = el.focus();
            }
        });
    };
    // In elderly mode errors are spoken as well as shown in words.
    let say_errors = move |summary: String, fields: &[FieldError]| {
        let mut words = vec![summary];
        words.extend(fields.iter().map(field_error_text));
        state.say_in_elderly_mode(words.join("\n"));
    };
    let show_fields = move |fields: Vec<FieldError>| {
        let summary = tr_with("report-fix-fields", &[("count", fields.len().into())]);
        say_errors(summary, &fields);
        notice.set(Some(Notice::FixFields(fields.len())));
        if wizard.get_untracked()
            && let Some(index) = first_step_with(&fields)
        {
            step.set(index);
        }
        errors.set(fields);
        focus_notice();
    };
    let show_error = move |e: ApiError| {
        if e.fields.is_empty() {
            state.say_in_elderly_mode(error_text(&e));
            notice.set(Some(Notice::Failed(e)));
            focus_notice();
        } else {
            show_fields(e.fields);
        }
    };
    // "Next": the rules of this step's question only, so a later question's blank never
    // stops the person early.
    let next_step = move || {
        let here = STEPS[step.get_untracked()];
        let problems: Vec<FieldError> = validate_draft(&current_draft())
            .into_iter()
            .filter(|e| here.owns()(&e.field))
            .collect();
        if problems.is_empty() {
            notice.set(None);
            go_to_step(step.get_untracked() + 1);
        } else {
            say_errors(String::new(), &problems);
            errors.update(|all| {
                all.retain(|e| !here.owns()(&e.field));
                all.extend(problems);
            });
        }
    };
    let on_next = move |_: leptos::ev::MouseEvent| next_step();
    let on_back =
        move |_: leptos::ev::MouseEvent| go_to_step(step.get_untracked().saturating_sub(1));

    let on_save = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        notice.set(None);
        spawn_local(async move {
            let result = save().await;
            busy.set(false);
            match result {
                Ok(r) => {
                    photos.set(r.photos);
                    notice.set(Some(Notice::Saved));
                    state.reports_changed.update(|n| *n += 1);
                }
                Err(e) => show_error(e),
            }
        });
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() || adding.get_untracked() > 0 {
            return;
        }
        // Enter in a field of an earlier step answers that step, as "next" does.
        if wizard.get_untracked() && step.get_untracked() + 1 < STEPS.len() {
            next_step();
            return;
        }
        // The same rules the core applies: answer at once, without a round trip.
        let problems = validate_draft(&current_draft());
        if !problems.is_empty() {
            show_fields(problems);
            return;
        }
        errors.set(Vec::new());
        busy.set(true);
        notice.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            let submitted = match save().await {
                Ok(r) => call(Request::Submit { id: r.id }).await,
                Err(e) => Err(e),
            };
            busy.set(false);
            match submitted {
                Ok(Response::Report(r)) => {
                    state.reports_changed.update(|n| *n += 1);
                    navigate(&format!("/reports/{}", r.id), Default::default());
                }
                Ok(other) => show_error(unexpected(&other)),
                Err(e) => show_error(e),
            }
        });
    };

    let on_files = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(list) = input.files() else { return };
        let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        // Cleared so choosing the same file again still counts as a change.
        input.set_value("");
        let room =
            MAX_PHOTOS.saturating_sub(photos.with_untracked(Vec::len) + adding.get_untracked());
        skipped.set(files.len().saturating_sub(room));
        let files: Vec<_> = files.into_iter().take(room).collect();
        if files.is_empty() {
            return;
        }
        adding.update(|n| *n += files.len());
        errors.update(|e| e.retain(|e| !is_photos(&e.field)));
        spawn_local(async move {
            // One at a time: the first may create the draft the others attach to.
            for file in files {
                let attached = async {
                    let data_base64 = file_base64(&file).await?;
                    let report = save().await?;
                    match call(Request::AttachPhoto {
                        id: report.id,
                        data_base64,
                    })
                    .await?
                    {
                        Response::Report(r) => Ok(r),
                        other => Err(unexpected(&other)),
                    }
                }
                .await;
                adding.update(|n| *n = n.saturating_sub(1));
                match attached {
                    Ok(r) => photos.set(r.photos),
                    Err(e) => {
                        // Shown by the photos, where the resident is looking.
                        let mut e = e;
                        if e.fields.is_empty() {
                            notice.set(Some(Notice::Failed(e)));
                        } else {
                            e.fields.iter_mut().for_each(|f| f.field = "photos".into());
                            errors.update(|all| all.extend(e.fields));
                        }
                    }
                }
            }
        });
    };

    let remove_photo = move |photo_id| {
        let Some(report_id) = id.get_untracked() else {
            return;
        };
        skipped.set(0);
        spawn_local(async move {
            match call(Request::RemovePhoto {
                id: report_id,
                photo_id,
            })
            .await
            {
                Ok(Response::Report(r)) => photos.set(r.photos),
                Ok(other) => show_error(unexpected(&other)),
                Err(e) => show_error(e),
            }
        });
    };

    let navigate_away = use_navigate();
    let discard = move || {
        let Some(report_id) = id.get_untracked() else {
            return;
        };
        let navigate = navigate_away.clone();
        spawn_local(async move {
            match call(Request::DiscardDraft { id: report_id }).await {
                Ok(_) => {
                    state.reports_changed.update(|n| *n += 1);
                    navigate("/reports", Default::default());
                }
                Err(e) => show_error(e),
            }
        });
    };
    // Kept in the reactive arena so the confirmation, which is rebuilt on demand, can use it.
    let discard = StoredValue::new_local(discard);

    // The duplicate check: open reports like this one (same category, same building or area,
    // last 14 days) once both are chosen. Needs the network; offline the form simply goes on.
    let similar: RwSignal<Option<Result<Vec<SimilarReport>, ApiError>>> = RwSignal::new(None);
    let similar_dismissed = RwSignal::new(false);
    let similar_turn = RwSignal::new(0u64);
    Effect::new(move |_| {
        category.track();
        kind.track();
        unit.track();
        building.track();
        area.track();
        let draft = current_draft();
        let turn = similar_turn.get_untracked() + 1;
        similar_turn.set(turn);
        similar_dismissed.set(false);
        let (Some(code), Some(place)) = (draft.category, draft.place) else {
            similar.set(None);
            return;
        };
        if emergency.get_untracked() {
            similar.set(None);
            return;
        }
        spawn_local(async move {
            let found = match call(Request::SimilarReports {
                category: code,
                place,
            })
            .await
            {
                Ok(Response::Similar(list)) => Ok(list),
                Ok(other) => Err(unexpected(&other)),
                Err(e) => Err(e),
            };
            // Only the answer to the latest question counts.
            if similar_turn.try_get_untracked() == Some(turn) {
                similar.try_set(Some(found));
            }
        });
    });
    let navigate_follow = use_navigate();
    // "Same problem: follow it". A draft with nothing in it yet goes; one with words or
    // photos stays in My reports, as nothing the resident wrote is thrown away.
    let follow_instead = move |report: SimilarReport| {
        let navigate = navigate_follow.clone();
        let draft_id = id.get_untracked();
        let has_content = description.with_untracked(|d| !d.trim().is_empty())
            || photos.with_untracked(|p| !p.is_empty());
        spawn_local(async move {
            match call(Request::Follow { report }).await {
                Ok(Response::Report(followed)) => {
                    if let (Some(draft_id), false) = (draft_id, has_content) {
                        let _ = call(Request::DiscardDraft { id: draft_id }).await;
                    }
                    state.reports_changed.update(|n| *n += 1);
                    navigate(&format!("/reports/{}", followed.id), Default::default());
                }
                Ok(other) => show_error(unexpected(&other)),
                Err(e) => show_error(e),
            }
        });
    };
    let follow_instead: StoredValue<Box<dyn Fn(SimilarReport)>, LocalStorage> =
        StoredValue::new_local(Box::new(follow_instead));

    let category_errors = errors_for(errors, is_category);
    let description_errors = errors_for(errors, is_description);
    let place_errors = errors_for(errors, is_place);
    let spot_errors = errors_for(errors, is_spot);
    let urgency_errors = errors_for(errors, is_urgency);
    let photo_errors = errors_for(errors, is_photos);
    let visibility_errors = errors_for(errors, is_visibility);
    let other_errors = errors_for(errors, is_other);
    let clear =
        move |belongs: fn(&str) -> bool| errors.update(|e| e.retain(|e| !belongs(&e.field)));
    let catalogue = state.catalogue;

    let notice_view = move || {
        notice.get().map(|n| match n {
            Notice::Saved => view! {
                <div class="notice notice-done" role="status">
                    <Svg icon=Icon::Check />
                    <p>{t("report-saved")}</p>
                </div>
            }
            .into_any(),
            Notice::FixFields(count) => view! {
                <div class="notice notice-error" role="alert">
                    <Svg icon=Icon::Alert />
                    <div>
                        <p>{move || tr_with("report-fix-fields", &[("count", count.into())])}</p>
                        <FieldErrors id="other-errors" errors=other_errors />
                    </div>
                </div>
            }
            .into_any(),
            Notice::Rejected(e) => view! {
                <div class="notice notice-error" role="alert">
                    <Svg icon=Icon::Alert />
                    <div>
                        <p>
                            {move || {
                                tr_with(
                                    "delivery-rejected",
                                    &[("reason", error_text(&e).as_str().into())],
                                )
                            }}
                        </p>
                        <p>{t("report-edit-rejected-hint")}</p>
                        <FieldErrors id="other-errors" errors=other_errors />
                    </div>
                </div>
            }
            .into_any(),
            Notice::Failed(e) => view! { <ErrorNotice error=e /> }.into_any(),
        })
    };

    let select_option = move |value: String, label: String, current: RwSignal<String>| {
        let v = value.clone();
        view! {
            <option value=value prop:selected=move || current.with(|c| *c == v)>
                {label}
            </option>
        }
    };

    let place_fields = move || {
        match kind.get() {
        None => None,
        Some(PlaceKind::Unit) => Some(
            view! {
                <div class="field">
                    <label for="place-unit">{t("report-unit-label")}</label>
                    <select
                        id="place-unit"
                        on:change=move |ev| {
                            unit.set(event_target_value(&ev));
                            clear(is_place);
                        }
                        aria-invalid=invalid(place_errors)
                        aria-describedby=described_by("place-hint", "place-error", place_errors)
                    >
                        <option value="" prop:selected=move || unit.with(String::is_empty)>
                            {t("report-choose")}
                        </option>
                        {move || {
                            catalogue.with(|c| {
                                c.iter()
                                    .flat_map(|c| c.units.iter())
                                    .map(|u| select_option(u.id.to_string(), u.label.clone(), unit))
                                    .collect_view()
                            })
                        }}
                    </select>
                </div>
            }
            .into_any(),
        ),
        Some(PlaceKind::Building) => Some(
            view! {
                <div class="field">
                    <label for="place-building">{t("report-building-label")}</label>
                    <select
                        id="place-building"
                        on:change=move |ev| {
                            building.set(event_target_value(&ev));
                            clear(is_place);
                        }
                        aria-invalid=invalid(place_errors)
                        aria-describedby=described_by("place-hint", "place-error", place_errors)
                    >
                        <option value="" prop:selected=move || building.with(String::is_empty)>
                            {t("report-choose")}
                        </option>
                        {move || {
                            catalogue.with(|c| {
                                c.iter()
                                    .flat_map(|c| c.buildings.iter())
                                    .map(|b| select_option(b.id.to_string(), b.label.clone(), building))
                                    .collect_view()
                            })
                        }}
                    </select>
                </div>
                <SpotField spot=building_spot hint=t("report-spot-hint-building") errors=spot_errors clear=move || clear(is_spot) />
            }
            .into_any(),
        ),
        Some(PlaceKind::CommonArea) => Some(
            view! {
                <div class="field">
                    <label for="place-area">{t("report-area-label")}</label>
                    <select
                        id="place-area"
                        on:change=move |ev| {
                            area.set(event_target_value(&ev));
                            clear(is_place);
                        }
                        aria-invalid=invalid(place_errors)
                        aria-describedby=described_by("place-hint", "place-error", place_errors)
                    >
                        <option value="" prop:selected=move || area.with(String::is_empty)>
                            {t("report-choose")}
                        </option>
                        {move || {
                            catalogue.with(|c| {
                                c.iter()
                                    .flat_map(|c| c.common_areas.iter())
                                    .map(|a| select_option(a.id.to_string(), a.label.clone(), area))
                                    .collect_view()
                            })
                        }}
                    </select>
                </div>
                <SpotField spot=area_spot hint=t("report-spot-hint-area") errors=spot_errors clear=move || clear(is_spot) />
            }
            .into_any(),
        ),
    }
    };

    let has_units =
        Memo::new(move |_| catalogue.with(|c| c.as_ref().is_some_and(|c| !c.units.is_empty())));

    // The answers in words, for the last step of elderly mode.
    let category_name = move || {
        let lang = language();
        let code = category.get();
        catalogue.with(|c| {
            c.iter()
                .flat_map(|c| c.categories.iter())
                .find(|cat| cat.code == code)
                .map(|cat| cat.name(lang.tag()).to_string())
                .unwrap_or_else(|| tr("report-review-missing"))
        })
    };
    let place_label = move || {
        let with_spot = |label: Option<String>, spot: String| match label {
            Some(label) if spot.trim().is_empty() => label,
            Some(label) => format!("{label} · {}", spot.trim()),
            None => tr("report-review-missing"),
        };
        catalogue.with(|c| {
            let Some(c) = c else {
                return tr("report-review-missing");
            };
            match kind.get() {
                Some(PlaceKind::Unit) => {
                    let id = unit.get();
                    with_spot(
                        c.units
                            .iter()
                            .find(|u| u.id.to_string() == id)
                            .map(|u| u.label.clone()),
                        String::new(),
                    )
                }
                Some(PlaceKind::Building) => {
                    let id = building.get();
                    with_spot(
                        c.buildings
                            .iter()
                            .find(|b| b.id.to_string() == id)
                            .map(|b| b.label.clone()),
                        building_spot.get(),
                    )
                }
                Some(PlaceKind::CommonArea) => {
                    let id = area.get();
                    with_spot(
                        c.common_areas
                            .iter()
                            .find(|a| a.id.to_string() == id)
                            .map(|a| a.label.clone()),
                        area_spot.get(),
                    )
                }
                None => tr("report-review-missing"),
            }
        })
    };

    view! {
        <section class="page report-form">
            <h1>{move || if is_edit { tr("report-edit-title") } else { tr("report-new-title") }}</h1>
            <p>{t("report-form-intro")}</p>
            <div class="form-notices" tabindex="-1" node_ref=notice_ref>
                {notice_view}
            </div>
            <Show when=move || held_elsewhere.get()>
                <div class="notice notice-info held-elsewhere" role="alert">
                    <Svg icon=Icon::Alert />
                    <div>
                        <p>{move || error_text(&ApiError::new(ErrorCode::DraftOpenElsewhere, ""))}</p>
                        <button type="button" class="button primary" on:click=move |_| hold(true)>
                            {t("draft-take-over")}
                        </button>
                    </div>
                </div>
            </Show>
            <form class="form" on:submit=on_submit novalidate hidden=move || held_elsewhere.get()>
                <Show when=move || wizard.get()>
                    <h2
                        class="step-heading"
                        id="step-heading"
                        tabindex="-1"
                        data-step=move || step.get() + 1
                        node_ref=step_ref
                    >
                        {move || {
                            tr_with(
                                "report-step",
                                &[("step", (step.get() + 1).into()), ("steps", STEPS.len().into())],
                            )
                        }}
                    </h2>
                </Show>
                <div class="field" hidden=hides(Step::Category)>
                    <label for="category">{t("report-category-label")}</label>
                    <select
                        id="category"
                        on:change=move |ev| {
                            category.set(event_target_value(&ev));
                            clear(is_category);
                        }
                        aria-invalid=invalid(category_errors)
                        aria-describedby=move || {
                            (!category_errors.with(Vec::is_empty)).then_some("category-error")
                        }
                    >
                        <option value="" prop:selected=move || category.with(String::is_empty)>
                            {t("report-category-choose")}
                        </option>
                        {move || {
                            let lang = language();
                            catalogue.with(|c| {
                                c.iter()
                                    .flat_map(|c| c.categories.iter())
                                    .map(|cat| select_option(cat.code.clone(), cat.name(lang.tag()).to_string(), category))
                                    .collect_view()
                            })
                        }}
                    </select>
                    <FieldErrors id="category-error" errors=category_errors />
                </div>
                <Show when=blocked>
                    <EmergencyCalls acknowledge=move || emergency_ack.set(true) />
                </Show>

                <fieldset class="choices" aria-describedby="place-hint" hidden=hides(Step::Place)>
                    <legend>{t("report-place-legend")}</legend>
                    <p class="hint" id="place-hint">
                        {move || (!has_units.get()).then(|| tr("report-no-units"))}
                    </p>
                    <Show when=move || has_units.get()>
                        <PlaceChoice value=PlaceKind::Unit dom_id="place-kind-unit" label=t("report-place-unit") kind=kind errors=errors />
                    </Show>
                    <PlaceChoice value=PlaceKind::Building dom_id="place-kind-building" label=t("report-place-building") kind=kind errors=errors />
                    <PlaceChoice value=PlaceKind::CommonArea dom_id="place-kind-common" label=t("report-place-common") kind=kind errors=errors />
                    {place_fields}
                    <FieldErrors id="place-error" errors=place_errors />
                </fieldset>

                <SimilarReports
                    hidden=hides(Step::Place)
                    similar=similar
                    dismissed=similar_dismissed
                    follow=follow_instead
                />

                <div class="field" hidden=hides(Step::Description)>
                    <label for="description">{t("report-description-label")}</label>
                    <p class="hint" id="description-hint">
                        {t("report-description-hint")}
                    </p>
                    <textarea
                        id="description"
                        rows="5"
                        prop:value=move || description.get()
                        on:input=move |ev| {
                            description.set(event_target_value(&ev));
                            clear(is_description);
                        }
                        aria-invalid=invalid(description_errors)
                        aria-describedby=move || {
                            let base = "description-hint description-count";
                            if description_errors.with(Vec::is_empty) {
                                base.to_string()
                            } else {
                                format!("{base} description-error")
                            }
                        }
                    ></textarea>
                    <p class="hint count" id="description-count">
                        {move || {
                            let count = description.with(|d| d.trim().chars().count());
                            tr_with(
                                "report-description-count",
                                &[("count", count.into()), ("max", DESCRIPTION_MAX_CHARS.into())],
                            )
                        }}
                    </p>
                    <FieldErrors id="description-error" errors=description_errors />
                </div>

                <fieldset class="choices" hidden=hides(Step::Urgency)>
                    <legend>{t("report-urgency-legend")}</legend>
                    {Urgency::ALL
                        .into_iter()
                        .map(|u| {
                            let dom_id = format!("urgency-{}", u.as_str());
                            view! {
                                <div class="choice">
                                    <input
                                        type="radio"
                                        name="urgency"
                                        id=dom_id.clone()
                                        prop:checked=move || urgency.get() == u
                                        on:change=move |_| {
                                            urgency.set(u);
                                            clear(is_urgency);
                                        }
                                    />
                                    <label for=dom_id>
                                        <span class="choice-title">{move || tr(&ids::urgency(u))}</span>
                                        <span class="choice-hint">{move || tr(&ids::urgency_hint(u))}</span>
                                    </label>
                                </div>
                            }
                        })
                        .collect_view()}
                    <FieldErrors id="urgency-error" errors=urgency_errors />
                </fieldset>

                <fieldset class="choices" hidden=hides(Step::Visibility)>
                    <legend>{t("report-visibility-legend")}</legend>
                    {[
                        (ReportVisibility::Private, "visibility-private", "report-visibility-private", "report-visibility-private-hint"),
                        (ReportVisibility::Public, "visibility-public", "report-visibility-public", "report-visibility-public-hint"),
                    ]
                        .into_iter()
                        .map(|(v, dom_id, title, hint)| {
                            view! {
                                <div class="choice">
                                    <input
                                        type="radio"
                                        name="visibility"
                                        id=dom_id
                                        prop:checked=move || visibility.get() == v
                                        on:change=move |_| {
                                            visibility.set(v);
                                            clear(is_visibility);
                                        }
                                    />
                                    <label for=dom_id>
                                        <span class="choice-title">{move || tr(title)}</span>
                                        <span class="choice-hint">{move || tr(hint)}</span>
                                    </label>
                                </div>
                            }
                        })
                        .collect_view()}
                    <FieldErrors id="visibility-error" errors=visibility_errors />
                </fieldset>

                <fieldset class="photos" hidden=hides(Step::Photos)>
                    <legend>{t("report-photos-legend")}</legend>
                    <p class="hint" id="photos-hint">
                        {move || tr_with("report-photos-hint", &[("max", MAX_PHOTOS.into())])}
                    </p>
                    <ul class="thumbs">
                        {move || {
                            photos
                                .get()
                                .into_iter()
                                .enumerate()
                                .map(|(i, photo)| {
                                    let photo_id = photo.id;
                                    let number = i + 1;
                                    view! {
                                        <li class="thumb">
                                            <Thumb photo=photo number=number />
                                            <button
                                                type="button"
                                                class="button small"
                                                on:click=move |_| remove_photo(photo_id)
                                            >
                                                {move || tr_with("report-photo-remove", &[("index", number.into())])}
                                            </button>
                                        </li>
                                    }
                                })
                                .collect_view()
                        }}
                    </ul>
                    <p class="hint" aria-live="polite">
                        {move || {
                            let count = photos.with(Vec::len);
                            if count >= MAX_PHOTOS {
                                tr_with("report-photos-full", &[("max", MAX_PHOTOS.into())])
                            } else {
                                tr_with(
                                    "report-photos-count",
                                    &[("count", count.into()), ("left", (MAX_PHOTOS - count).into())],
                                )
                            }
                        }}
                    </p>
                    <Show when=move || { photos.with(Vec::len) + adding.get() < MAX_PHOTOS }>
                        <div class="file-picker">
                            <input
                                id="photo-input"
                                class="file-input"
                                type="file"
                                accept="image/jpeg,image/png,image/webp"
                                multiple
                                on:change=on_files
                                aria-describedby="photos-hint"
                            />
                            <label for="photo-input" class="button file-label">
                                <Svg icon=Icon::Camera />
                                <span>{t("report-photo-add")}</span>
                            </label>
                        </div>
                    </Show>
                    <p class="busy" role="status">
                        {move || (adding.get() > 0).then(|| tr("report-photo-adding"))}
                    </p>
                    {move || {
                        let n = skipped.get();
                        (n > 0).then(|| view! {
                            <p class="hint">
                                {move || tr_with("report-photos-some-skipped", &[("max", MAX_PHOTOS.into()), ("count", n.into())])}
                            </p>
                        })
                    }}
                    <FieldErrors id="photos-error" errors=photo_errors />
                </fieldset>

                <div class="review" hidden=move || { !wizard.get() || STEPS[step.get()] != Step::Review }>
                    <p>{t("report-review-intro")}</p>
                    <dl class="facts">
                        <div>
                            <dt>{t("report-category-label")}</dt>
                            <dd>{category_name}</dd>
                        </div>
                        <div>
                            <dt>{t("report-description-label")}</dt>
                            <dd class="description">{move || description.get()}</dd>
                        </div>
                        <div>
                            <dt>{t("report-place-legend")}</dt>
                            <dd>{place_label}</dd>
                        </div>
                        <div>
                            <dt>{t("report-urgency-legend")}</dt>
                            <dd>{move || tr(&ids::urgency(urgency.get()))}</dd>
                        </div>
                        <div>
                            <dt>{t("report-photos-legend")}</dt>
                            <dd>{move || tr_with("report-review-photos", &[("count", photos.with(Vec::len).into())])}</dd>
                        </div>
                    </dl>
                </div>

                <Show when=move || wizard.get() && !blocked()>
                    <div class="actions step-nav">
                        <Show when=move || { step.get() > 0 }>
                            <button type="button" class="button step-back" on:click=on_back>
                                <Svg icon=Icon::Back />
                                <span>{t("report-step-back")}</span>
                            </button>
                        </Show>
                        <Show when=move || { step.get() + 1 < STEPS.len() }>
                            <button
                                type="button"
                                class="button primary step-next"
                                disabled=move || { adding.get() > 0 }
                                on:click=on_next
                            >
                                <span>{t("report-step-next")}</span>
                                <Svg icon=Icon::Next />
                            </button>
                        </Show>
                    </div>
                </Show>

                <div class="actions" hidden=move || { (wizard.get() && step.get() + 1 < STEPS.len()) || blocked() }>
                    <button
                        type="submit"
                        class="button primary"
                        disabled=move || { busy.get() || adding.get() > 0 }
                    >
                        {t("report-submit")}
                    </button>
                    <button
                        type="button"
                        class="button"
                        disabled=move || { busy.get() || adding.get() > 0 }
                        on:click=on_save
                    >
                        {t("report-save-draft")}
                    </button>
                </div>
                <p class="busy" role="status">
                    {move || busy.get().then(|| tr("working"))}
                </p>
                <Show when=move || {
                    id.with(Option::is_some) && !was_rejected
                        && (!wizard.get() || step.get() + 1 == STEPS.len())
                }>
                    <div class="discard">
                        <Show
                            when=move || confirm_discard.get()
                            fallback=move || view! {
                                <button type="button" class="button" on:click=move |_| confirm_discard.set(true)>
                                    {t("report-discard")}
                                </button>
                            }
                        >
                            <p>{t("report-discard-confirm")}</p>
                            <div class="actions">
                                <button type="button" class="button danger" on:click=move |_| discard.with_value(|d| d())>
                                    {t("report-discard-yes")}
                                </button>
                                <button type="button" class="button" on:click=move |_| confirm_discard.set(false)>
                                    {t("cancel")}
                                </button>
                            </div>
                        </Show>
                    </div>
                </Show>
            </form>
        </section>
    }
}

/// One way of saying where the problem is.
#[component]
fn PlaceChoice(
    value: PlaceKind,
    dom_id: &'static str,
    label: impl Fn() -> String + Send + Sync + 'static,
    kind: RwSignal<Option<PlaceKind>>,
    errors: RwSignal<Vec<FieldError>>,
) -> impl IntoView {
    view! {
        <div class="choice">
            <input
                type="radio"
                name="place-kind"
                id=dom_id
                prop:checked=move || kind.get() == Some(value)
                on:change=move |_| {
                    kind.set(Some(value));
                    errors.update(|e| e.retain(|e| !is_place(&e.field) && !is_spot(&e.field)));
                }
            />
            <label for=dom_id>{label}</label>
        </div>
    }
}

/// "Exact spot" for a building or a common area.
#[component]
fn SpotField(
    spot: RwSignal<String>,
    hint: impl Fn() -> String + Send + Sync + 'static,
    errors: Signal<Vec<FieldError>>,
    clear: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for="place-spot">{t("report-spot-label")}</label>
            <p class="hint" id="spot-hint">
                {hint}
            </p>
            <input
                id="place-spot"
                type="text"
                prop:value=move || spot.get()
                on:input=move |ev| {
                    spot.set(event_target_value(&ev));
                    clear();
                }
                aria-invalid=invalid(errors)
                aria-describedby=described_by("spot-hint", "spot-error", errors)
            />
            <FieldErrors id="spot-error" errors=errors />
        </div>
    }
}

/// The numbers to call in an emergency category, as big buttons, before anything else; the
/// form goes on only when the resident says they have called.
#[component]
fn EmergencyCalls(acknowledge: impl Fn() + Send + Sync + 'static) -> impl IntoView {
    let state = use_app();
    let numbers = move || {
        state.catalogue.with(|c| {
            let c = c.as_ref();
            let mut numbers = c.map(|c| c.emergency_numbers.clone()).unwrap_or_default();
            if numbers.is_empty() {
                numbers = EmergencyNumber::mainland();
            }
            (numbers, c.and_then(|c| c.duty_phone.clone()))
        })
    };
    view! {
        <div class="notice notice-error emergency" role="alert">
            <Svg icon=Icon::Alert />
            <div>
                <h2>{t("emergency-title")}</h2>
                <p>{t("emergency-explain")}</p>
                <ul class="calls">
                    {move || {
                        let (numbers, duty) = numbers();
                        let services = numbers.into_iter().map(|n| {
                            let service = n.service;
                            view! {
                                <li>
                                    <a class="button danger call" href=format!("tel:{}", n.number)>
                                        <Svg icon=Icon::Phone />
                                        <span>{move || tr(ids::emergency(service))}</span>
                                    </a>
                                </li>
                            }
                        });
                        let duty = duty.map(|number| {
                            let href = format!("tel:{number}");
                            view! {
                                <li>
                                    <a class="button primary call" href=href>
                                        <Svg icon=Icon::Phone />
                                        <span>{move || tr_with("emergency-duty", &[("number", number.as_str().into())])}</span>
                                    </a>
                                </li>
                            }
                        });
                        view! { {services.collect_view()} {duty} }
                    }}
                </ul>
                <button type="button" class="button" id="emergency-continue" on:click=move |_| acknowledge()>
                    {t("emergency-continue")}
                </button>
            </div>
        </div>
    }
}

/// "Has a neighbour already reported this?": open reports like this one, each with a button
/// to follow it instead, and one to go on with a new report.
#[component]
fn SimilarReports(
    hidden: impl Fn() -> bool + Send + Sync + 'static,
    similar: RwSignal<Option<Result<Vec<SimilarReport>, ApiError>>>,
    dismissed: RwSignal<bool>,
    follow: StoredValue<Box<dyn Fn(SimilarReport)>, LocalStorage>,
) -> impl IntoView {
    let state = use_app();
    view! {
        <div class="similar" hidden=hidden>
            {move || match similar.get() {
                Some(Ok(list)) if !list.is_empty() && !dismissed.get() => {
                    let items = list
                        .into_iter()
                        .map(|r| {
                            let number = r.number;
                            let status = r.status;
                            let affected = r.affected;
                            let category = r.category.clone();
                            let category = move || {
                                state.catalogue.with(|c| super::category_name(c.as_ref(), Some(&category)))
                            };
                            let action = if r.mine {
                                view! {
                                    <a class="button" href=format!("/reports/{}", r.id)>
                                        {t("similar-mine")}
                                    </a>
                                }
                                .into_any()
                            } else {
                                let report = r.clone();
                                view! {
                                    <button
                                        type="button"
                                        class="button primary similar-follow"
                                        on:click=move |_| follow.with_value(|f| f(report.clone()))
                                    >
                                        {t("similar-follow")}
                                    </button>
                                }
                                .into_any()
                            };
                            view! {
                                <li class="similar-item">
                                    <p>
                                        <strong>{move || tr_with("report-number", &[("number", number.into())])}</strong>
                                        " " {category} " · " {r.place_label.clone()}
                                    </p>
                                    <p class="excerpt">{r.description.clone()}</p>
                                    <p class="hint">
                                        {move || tr(&ids::status(status))} " · "
                                        {move || tr_with("similar-affected", &[("count", affected.into())])}
                                    </p>
                                    {action}
                                </li>
                            }
                        })
                        .collect_view();
                    view! {
                        <section class="notice notice-info similar-panel" aria-labelledby="similar-title">
                            <div>
                                <h2 id="similar-title">{t("similar-title")}</h2>
                                <p>{t("similar-explain")}</p>
                                <ul class="similar-list">{items}</ul>
                                <button type="button" class="button similar-different" on:click=move |_| dismissed.set(true)>
                                    {t("similar-different")}
                                </button>
                            </div>
                        </section>
                    }
                    .into_any()
                }
                Some(Err(e)) if e.code == ErrorCode::PlatformUnreachable => view! {
                    <p class="hint similar-offline">{t("similar-offline")}</p>
                }
                .into_any(),
                _ => ().into_any(),
            }}
        </div>
    }
}
