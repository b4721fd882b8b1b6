//! Small line icons drawn here, always shown beside a word and hidden from screen readers.

use leptos::prelude::*;

/// Which picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Icon {
    /// Writing a report.
    Report,
    /// A list of reports.
    List,
    /// A ballot box.
    Vote,
    /// A form to fill in.
    Survey,
    /// A heart, for health.
    Health,
    /// A lifebuoy, for help.
    Help,
    /// A megaphone, for notices.
    Notice,
    /// A house.
    Home,
    /// Sliders, for settings.
    Settings,
    /// Something needs attention.
    Alert,
    /// Done.
    Check,
    /// Connected.
    Online,
    /// Not connected.
    Offline,
    /// A camera.
    Camera,
    /// Waiting.
    Clock,
    /// Larger text.
    Text,
    /// A loudspeaker, for reading aloud.
    Speaker,
    /// A square, for stopping.
    Stop,
    /// An arrow to the right, for the next step.
    Next,
    /// An arrow to the left, for the step before.
    Back,
    /// A telephone handset, for calling.
    Phone,
    /// Speech bubbles, for comments.
    Comment,
    /// A bar chart, for the accountability board.
    Chart,
    /// An eye, for following a report.
    Eye,
}

/// The icon as inline SVG, sized by CSS (`.icon`), `aria-hidden`.
#[component]
pub fn Svg(
    /// Which picture.
    icon: Icon,
) -> impl IntoView {
    let body = match icon {
        Icon::Report => view! {
            <path d="M4 20h4L19 9l-4-4L4 16z" />
            <path d="M13 7l4 4" />
        }
        .into_any(),
        Icon::List => view! {
            <path d="M9 6h11M9 12h11M9 18h11" />
            <path d="M4 6h1M4 12h1M4 18h1" />
        }
        .into_any(),
        Icon::Vote => view! {
            <path d="M3 11h18v9H3z" />
            <path d="M8 11V4h8v7" />
            <path d="M10 8l1.5 1.5L14 6" />
        }
        .into_any(),
        Icon::Survey => view! {
            <path d="M6 4h12v17H6z" />
            <path d="M9 9h6M9 13h6M9 17h4" />
        }
        .into_any(),
        Icon::Health => view! {
            <path d="M12 20s-8-5-8-10.5A4.5 4.5 0 0 1 12 7a4.5 4.5 0 0 1 8 2.5C20 15 12 20 12 20z" />
            <path d="M9 12h6M12 9v6" />
        }
        .into_any(),
        Icon::Help => view! {
            <circle cx="12" cy="12" r="9" />
            <circle cx="12" cy="12" r="4" />
            <path d="M5.6 5.6l3.6 3.6M14.8 14.8l3.6 3.6M18.4 5.6l-3.6 3.6M9.2 14.8l-3.6 3.6" />
        }
        .into_any(),
        Icon::Notice => view! {
            <path d="M3 10v4h4l7 5V5L7 10z" />
            <path d="M17 9a4 4 0 0 1 0 6" />
        }
        .into_any(),
        Icon::Home => view! {
            <path d="M3 11l9-7 9 7" />
            <path d="M5 10v10h14V10" />
            <path d="M10 20v-6h4v6" />
        }
        .into_any(),
        Icon::Settings => view! {
            <path d="M4 7h16M4 17h16" />
            <circle cx="9" cy="7" r="2.5" />
            <circle cx="15" cy="17" r="2.5" />
        }
        .into_any(),
        Icon::Alert => view! {
            <circle cx="12" cy="12" r="9" />
            <path d="M12 7v6M12 16.5v.5" />
        }
        .into_any(),
        Icon::Check => view! {
            <circle cx="12" cy="12" r="9" />
            <path d="M7.5 12.5l3 3 6-6.5" />
        }
        .into_any(),
        Icon::Online => view! { <circle cx="12" cy="12" r="6" class="filled" /> }.into_any(),
        Icon::Offline => view! {
            <circle cx="12" cy="12" r="6" />
            <path d="M5 19L19 5" />
        }
        .into_any(),
        Icon::Camera => view! {
            <path d="M3 8h4l2-3h6l2 3h4v11H3z" />
            <circle cx="12" cy="13" r="3.5" />
        }
        .into_any(),
        Icon::Clock => view! {
            <circle cx="12" cy="12" r="9" />
            <path d="M12 7v5l3 2" />
        }
        .into_any(),
        Icon::Text => view! {
            <path d="M4 18L9 6l5 12M6 14h6" />
            <path d="M15 18l3-7 3 7M16 16h4" />
        }
        .into_any(),
        Icon::Speaker => view! {
            <path d="M4 9h4l5-4v14l-5-4H4z" />
            <path d="M16 9a4 4 0 0 1 0 6M18.5 6.5a7.5 7.5 0 0 1 0 11" />
        }
        .into_any(),
        Icon::Stop => view! { <rect x="6" y="6" width="12" height="12" rx="1" /> }.into_any(),
        Icon::Next => view! { <path d="M5 12h14M13 6l6 6-6 6" /> }.into_any(),
        Icon::Back => view! { <path d="M19 12H5M11 6l-6 6 6 6" /> }.into_any(),
        Icon::Phone => view! {
            <path d="M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2z" />
        }
        .into_any(),
        Icon::Comment => view! { <path d="M4 5h16v11H9l-5 4z" /> }.into_any(),
        Icon::Chart => view! {
            <path d="M4 20h16" />
            <path d="M7 16v-5M12 16V6M17 16v-8" />
        }
        .into_any(),
        Icon::Eye => view! {
            <path d="M2 12s4-7 10-7 10 7 10 7-4 7-10 7S2 12 2 12z" />
            <circle cx="12" cy="12" r="3" />
        }
        .into_any(),
    };
    view! {
        <svg
            class="icon"
            viewBox="0 0 24 24"
            aria-hidden="true"
            focusable="false"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
            stroke-linejoin="round"
        >
            {body}
        </svg>
    }
}
