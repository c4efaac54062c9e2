//! How a background job stands — an import, a CRM sync — drawn the same way on every page that
//! follows one: its status badge, a progress bar when the total is known, a line in words, its
//! counts and why it failed. Each page says what its job's numbers are (`JobProgress`); the
//! cancel button and the per-item errors stay the page's own.

use leptos::prelude::*;

/// Where a job is, for the colour of its badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Queued or running.
    Working,
    Done,
    /// Failed or cancelled.
    Stopped,
}

impl Standing {
    fn badge_class(self) -> &'static str {
        match self {
            Standing::Working => "badge status-invited",
            Standing::Done => "badge status-active",
            Standing::Stopped => "badge status-inactive",
        }
    }
}

/// One of a job's counts (created, updated, bad rows…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    pub label: &'static str,
    pub value: u64,
    pub testid: Option<&'static str>,
}

impl Count {
    pub fn new(label: &'static str, value: u64) -> Count {
        Count {
            label,
            value,
            testid: None,
        }
    }

    /// The same, findable by tests under `testid`.
    pub fn marked(label: &'static str, value: u64, testid: &'static str) -> Count {
        Count {
            label,
            value,
            testid: Some(testid),
        }
    }
}

/// A job's status, in a badge.
pub fn status_badge(standing: Standing, title: String, testid: &'static str) -> impl IntoView {
    view! { <span class=standing.badge_class() data-testid=testid>{title}</span> }
}

/// What the progress card shows of one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobView {
    pub standing: Standing,
    /// The status in words ("Running").
    pub status: String,
    pub status_testid: &'static str,
    /// Whole percent done, when the total is known.
    pub percent: Option<u64>,
    /// What the bar counts, for screen readers ("Rows imported").
    pub bar_label: &'static str,
    /// Where it stands in words ("120 of 500 rows (24 %)").
    pub summary: String,
    pub summary_testid: Option<&'static str>,
    pub counts: Vec<Count>,
    pub failure: Option<String>,
}

/// A job's progress: the badge (then `lead`, such as the sync's mode and start), the bar, the
/// line in words, the counts, why it failed; `children` (the page's cancel button or link) last.
#[component]
pub fn JobProgress(
    job: JobView,
    #[prop(optional, into)] lead: Option<String>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let JobView {
        standing,
        status,
        status_testid,
        percent,
        bar_label,
        summary,
        summary_testid,
        counts,
        failure,
    } = job;
    view! {
        <p>{status_badge(standing, status, status_testid)}{lead.map(|lead| format!(" {lead}"))}</p>
        {percent.map(|p| view! {
            <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100"
                aria-valuenow=p.to_string() aria-label=bar_label>
                <span style=format!("width: {p}%")></span>
            </div>
        })}
        <p class="subtle" data-testid=summary_testid>{summary}</p>
        <dl class="facts">
            {counts.into_iter().map(|count| view! {
                <div><dt>{count.label}</dt><dd data-testid=count.testid>{count.value}</dd></div>
            }).collect_view()}
        </dl>
        {failure.map(|f| view! { <p class="form-error" role="alert">{f}</p> })}
        {children.map(|children| children())}
    }
}
