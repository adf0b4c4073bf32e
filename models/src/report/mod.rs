//! The report room: what a run presents, apart from how it was found. A finding's lists drawn as
//! SVG (`svg.rs`) and as text with the table of verdicts (`text.rs`), its pages (`html.rs`), one
//! JSON object per run (`json.rs`), each run as a [`RunRecord`], and the replay file a failing
//! run leaves beside its page ([`SavedReplay`]).

mod html;
mod json;
mod record;
mod saved_replay;
mod svg;
mod text;

pub use html::{finding_html, write_report};
pub use record::RunRecord;
pub use saved_replay::SavedReplay;
pub use svg::picture_svg;
pub use text::{describe_event, findings, notes, picture_text, pictures, table};

/// Escapes text for HTML and XML.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
