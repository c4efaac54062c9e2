//! Commission rules: the list in the order base rules are chosen, a new rule, and one rule with
//! its versions, where a change is saved as a new version from a date. Before saving, the form
//! replays last quarter's won deals under the proposal and shows who would earn what.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::AppError;
use crate::api::commission_rules::{
    EndRule, PreviewRule, RuleDetail, RulePreview, RulesPage, SaveRule, VersionRow, VersionStatus,
    get_rule, list_rules,
};
use crate::api::users::PartnerOption;
use crate::components::delta::change_text;
use crate::components::feedback::ErrorPanel;
use crate::components::form::field_error;
use crate::components::partner_picker::PartnerPicker;
use crate::components::toast::toast_on;
use crate::domain::commission_rules::{KindName, RuleForm, ScopeName};

/// The tabs of the payouts area.
#[component]
pub fn PayoutsNav() -> impl IntoView {
    view! {
        <nav class="subnav" aria-label="Payouts">
            <A href="/payouts" exact=true>"Queue"</A>
            <A href="/payouts/earnings">"Earnings"</A>
            <A href="/payouts/rules">"Commission rules"</A>
            <A href="/payouts/rates">"Exchange rates"</A>
        </nav>
    }
}

fn in_force(row: &VersionRow) -> String {
    match row.effective_to {
        Some(end) => format!("{} – {}", row.effective_from, end),
        None => format!("from {}", row.effective_from),
    }
}

#[component]
fn StatusBadge(status: VersionStatus) -> impl IntoView {
    view! { <span class=format!("badge rule-{}", status.as_str())>{status.title()}</span> }
}

#[component]
pub fn CommissionRulesPage() -> impl IntoView {
    let rules = Resource::new(|| (), |_| list_rules());
    view! {
        <Title text="Commission rules"/>
        <header class="page-header with-actions">
            <div>
                <h1>"Commission rules"</h1>
                <p class="subtle">"How partners' credit on won deals turns into commission."</p>
            </div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    rules.await.ok().filter(|r| r.can_edit).map(|_| view! {
                        <A href="/payouts/rules/new" attr:class="button primary">"New rule"</A>
                    })
                })}
            </Transition>
        </header>
        <PayoutsNav/>
        <Transition fallback=|| view! { <div class="card table-skeleton skeleton" aria-busy="true" aria-label="Loading rules"></div> }>
            {move || Suspend::new(async move {
                match rules.await {
                    Ok(page) => view! { <RulesTable page/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error retry=Callback::new(move |_| rules.refetch())/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn RulesTable(page: RulesPage) -> impl IntoView {
    if page.rules.is_empty() {
        return view! {
            <section class="card empty-state" data-testid="rules-empty">
                <h2>"No commission rules yet"</h2>
                <p class="subtle">"Every partner earns the rate on its profile until a rule covers it."</p>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="card">
            <p class="card-body subtle" data-testid="precedence-note">
                "One base rule pays each credit: the most specific rule in force on the day the deal was won "
                "(one partner, then a tier, then a partner type, then all partners), then the higher priority, "
                "then the later start. SPIF bonuses in force add to it. A partner no rule covers earns the rate on its profile."
            </p>
            <div class="table-scroll">
                <table class="table" data-testid="rules-table">
                    <thead>
                        <tr>
                            <th class="num" title="The order base rules are chosen in">"Order"</th>
                            <th>"Rule"</th>
                            <th>"Applies to"</th>
                            <th>"Terms"</th>
                            <th class="num">"Priority"</th>
                            <th>"In force"</th>
                            <th>"Status"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {page.rules.into_iter().map(|rule| view! {
                            <tr data-rule=rule.rule_id>
                                <td class="num">{rule.precedence.map_or_else(|| "+".to_owned(), |p| p.to_string())}</td>
                                <td>
                                    <A href=format!("/payouts/rules/{}", rule.rule_id)>{rule.name.clone()}</A>
                                    <div class="subtle small">{format!("{} · v{}", rule.kind.describe(), rule.latest.version)}</div>
                                </td>
                                <td>{rule.latest.scope.clone()}</td>
                                <td>{rule.latest.summary.clone()}</td>
                                <td class="num">{rule.latest.priority}</td>
                                <td class="nowrap">{in_force(&rule.latest)}</td>
                                <td><StatusBadge status=rule.latest.status/></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

#[component]
pub fn NewCommissionRulePage() -> impl IntoView {
    let today = chrono::Utc::now().date_naive().to_string();
    let form = RuleForm {
        scope: ScopeName::Everyone.as_str().into(),
        kind: KindName::Percentage.as_str().into(),
        priority: "100".into(),
        effective_from: today,
        ..RuleForm::default()
    };
    view! {
        <Title text="New commission rule"/>
        <header class="page-header">
            <p class="eyebrow"><A href="/payouts/rules">"Commission rules"</A></p>
            <h1>"New commission rule"</h1>
        </header>
        <NewRuleEditor form/>
    }
}

#[component]
fn NewRuleEditor(form: RuleForm) -> impl IntoView {
    let navigate = use_navigate();
    let on_saved =
        Callback::new(move |id: i64| navigate(&format!("/payouts/rules/{id}"), Default::default()));
    view! { <RuleEditor rule_id=None form partner=None on_saved/> }
}

#[component]
pub fn CommissionRulePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let detail = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_rule(id).await,
            None => Err(AppError::NotFound("the commission rule".into())),
        }
    });
    view! {
        <Title text="Commission rule"/>
        <Suspense fallback=|| view! { <div class="card form-skeleton skeleton" aria-busy="true"></div> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(rule) => view! { <RuleView detail=rule on_saved=Callback::new(move |_| detail.refetch())/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RuleView(detail: RuleDetail, on_saved: Callback<i64>) -> impl IntoView {
    let RuleDetail {
        rule_id,
        name,
        form,
        versions,
        partner,
        can_edit,
    } = detail;
    let latest = versions.first().cloned();
    view! {
        <header class="page-header">
            <div>
                <p class="eyebrow"><A href="/payouts/rules">"Commission rules"</A></p>
                <h1>{name}</h1>
                {latest.as_ref().map(|v| view! { <p class="subtle">{format!("{} · {}", v.scope, v.summary)}</p> })}
            </div>
        </header>
        <section class="card">
            <h2 class="card-title">"Versions"</h2>
            <p class="card-body subtle">"A change is a new version from a date: commissions already computed keep the version they name."</p>
            <div class="table-scroll">
                <table class="table" data-testid="versions-table">
                    <thead><tr><th>"Version"</th><th>"Terms"</th><th>"Applies to"</th><th class="num">"Priority"</th><th>"In force"</th><th>"Status"</th><th>"Saved"</th></tr></thead>
                    <tbody>
                        {versions.into_iter().map(|v| view! {
                            <tr>
                                <td>{format!("v{}", v.version)}</td>
                                <td>{v.summary.clone()}</td>
                                <td>{v.scope.clone()}</td>
                                <td class="num">{v.priority}</td>
                                <td class="nowrap">{in_force(&v)}</td>
                                <td><StatusBadge status=v.status/></td>
                                <td class="subtle">{format!("{}{}", v.saved_on, v.saved_by.map(|n| format!(" by {n}")).unwrap_or_default())}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        {can_edit.then(|| view! {
            <h2 class="section-title">"New version"</h2>
            <RuleEditor rule_id=Some(rule_id) form partner=partner.map(|(id, name)| PartnerOption { id, name }) on_saved/>
            <EndRuleForm rule_id on_saved/>
        })}
    }
}

#[component]
fn EndRuleForm(rule_id: i64, on_saved: Callback<i64>) -> impl IntoView {
    let action = ServerAction::<EndRule>::new();
    toast_on(action, |_| "The rule's last day is set.".into());
    let result = action.value();
    Effect::new(move |_| {
        if let Some(Ok(())) = result.get() {
            on_saved.run(rule_id);
        }
    });
    view! {
        <section class="card form-card end-rule">
            <h2 class="card-title">"End the rule"</h2>
            <ActionForm action attr:class="form inline-form" attr:novalidate=true attr:data-testid="end-rule">
                <input type="hidden" name="rule_id" value=rule_id.to_string()/>
                <div class="field">
                    <label for="field-last_day">"Last day"</label>
                    <input id="field-last_day" name="last_day" type="date"
                        aria-invalid=move || field_error(&result.get(), "last_day").is_some().then_some("true")/>
                    {move || field_error(&result.get(), "last_day").map(|m| view! { <p class="field-error" role="alert" data-field="last_day">{m}</p> })}
                </div>
                <button type="submit" class="button" disabled=move || action.pending().get()>"End rule"</button>
            </ActionForm>
        </section>
    }
}

/// The rule form, controlled so the fields a kind needs show as it is chosen, and the preview
/// runs on what is typed. `rule_id` set: saving makes a new version of that rule.
#[component]
fn RuleEditor(
    rule_id: Option<i64>,
    form: RuleForm,
    partner: Option<PartnerOption>,
    /// Told the rule's id once saved.
    on_saved: Callback<i64>,
) -> impl IntoView {
    let draft = RwSignal::new(form);
    let save = ServerAction::<SaveRule>::new();
    let preview = ServerAction::<PreviewRule>::new();
    toast_on(save, |_| "Commission rule saved.".into());
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            on_saved.run(saved);
        }
    });
    // The latest answer names the fields: a preview as much as a save.
    let last_errors = RwSignal::new(None::<Result<(), AppError>>);
    Effect::new(move |_| {
        if let Some(result) = save.value().get() {
            last_errors.set(Some(result.map(|_| ())));
        }
    });
    Effect::new(move |_| {
        if let Some(result) = preview.value().get() {
            last_errors.set(Some(result.map(|_| ())));
        }
    });
    let error = move |field: &'static str| move || field_error(&last_errors.get(), field);
    let kind = move || draft.with(|f| f.kind.parse::<KindName>().ok());
    let scope = move || draft.with(|f| f.scope.parse::<ScopeName>().ok());
    let shows =
        move |kinds: &'static [KindName]| move || kind().is_some_and(|k| kinds.contains(&k));

    let text = move |label: &'static str,
                     field: &'static str,
                     hint: Option<&'static str>,
                     kind_attr: &'static str,
                     get: fn(&RuleForm) -> &String,
                     set: fn(&mut RuleForm) -> &mut String| {
        let id = format!("field-{field}");
        view! {
            <div class="field" class:has-error=move || error(field)().is_some()>
                <label for=id.clone()>{label}</label>
                <input id=id type=kind_attr autocomplete="off"
                    prop:value=move || draft.with(|f| get(f).clone())
                    on:input=move |ev| { let v = event_target_value(&ev); draft.update(|f| *set(f) = v); }
                    aria-invalid=move || error(field)().is_some().then_some("true")/>
                {hint.map(|h| view! { <p class="field-hint">{h}</p> })}
                {move || error(field)().map(|m| view! { <p class="field-error" role="alert" data-field=field>{m}</p> })}
            </div>
        }
    };
    let select = move |label: &'static str,
                       field: &'static str,
                       options: Vec<(&'static str, String)>,
                       get: fn(&RuleForm) -> &String,
                       set: fn(&mut RuleForm) -> &mut String| {
        let id = format!("field-{field}");
        view! {
            <div class="field" class:has-error=move || error(field)().is_some()>
                <label for=id.clone()>{label}</label>
                <select id=id
                    on:change=move |ev| { let v = event_target_value(&ev); draft.update(|f| *set(f) = v); }>
                    {options.into_iter().map(|(value, title)| view! {
                        <option value=value selected=move || draft.with(|f| get(f) == value)>{title}</option>
                    }).collect_view()}
                </select>
                {move || error(field)().map(|m| view! { <p class="field-error" role="alert" data-field=field>{m}</p> })}
            </div>
        }
    };

    let submit_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveRule {
            rule_id,
            form: draft.get_untracked(),
        });
    };
    let run_preview = move |_| {
        preview.dispatch(PreviewRule {
            rule_id,
            form: draft.get_untracked(),
        });
    };
    let on_pick = Callback::new(move |picked: Option<PartnerOption>| {
        draft.update(|f| f.scope_value = picked.map(|p| p.id.to_string()).unwrap_or_default());
    });

    view! {
        <div class="settings-layout">
            <form class="card form grid-form rule-form" data-testid="rule-form" novalidate=true on:submit=submit_save>
                {text("Name", "name", None, "text", |f| &f.name, |f| &mut f.name)}
                {select("Kind", "kind",
                    KindName::ALL.iter().map(|k| (k.as_str(), k.describe().to_owned())).collect(),
                    |f| &f.kind, |f| &mut f.kind)}
                {select("Applies to", "scope",
                    ScopeName::ALL.iter().map(|s| (s.as_str(), s.describe().to_owned())).collect(),
                    |f| &f.scope, |f| &mut f.scope)}
                {move || match scope() {
                    Some(ScopeName::Partner) => view! {
                        <div class="field" class:has-error=move || error("scope_value")().is_some()>
                            <label for="rule-partner">"Partner"</label>
                            <PartnerPicker id="rule-partner" initial=partner.clone().filter(|p| draft.with_untracked(|f| f.scope_value == p.id.to_string()))
                                on_pick invalid=Signal::derive(move || error("scope_value")().is_some())/>
                            {move || error("scope_value")().map(|m| view! { <p class="field-error" role="alert" data-field="scope_value">{m}</p> })}
                        </div>
                    }.into_any(),
                    Some(name @ (ScopeName::PartnerType | ScopeName::Tier)) => {
                        let choices = name.choices();
                        // A value that belongs to another scope is no choice: start from the first.
                        if !choices.iter().any(|(v, _)| draft.with_untracked(|f| f.scope_value == *v)) {
                            let first = choices.first().map(|(v, _)| (*v).to_owned()).unwrap_or_default();
                            draft.update_untracked(|f| f.scope_value = first);
                        }
                        let label = if name == ScopeName::Tier { "Tier" } else { "Partner type" };
                        select(label, "scope_value", choices, |f| &f.scope_value, |f| &mut f.scope_value).into_any()
                    }
                    _ => ().into_any(),
                }}
                <Show when=shows(&[KindName::Percentage, KindName::Spif])>
                    {text("Rate (%)", "rate", Some("Of the partner's attributed revenue on the deal."), "text", |f| &f.rate, |f| &mut f.rate)}
                </Show>
                <Show when=shows(&[KindName::Flat, KindName::Spif])>
                    {text("Amount", "amount", Some("Paid per won deal the partner is credited on."), "text", |f| &f.amount, |f| &mut f.amount)}
                </Show>
                <Show when=shows(&[KindName::Tiered])>
                    {text("Bands", "bands", Some("Marginal over the partner's attributed revenue in the quarter, such as \"10 % up to 100000; 15 %\"."), "text", |f| &f.bands, |f| &mut f.bands)}
                </Show>
                <Show when=shows(&[KindName::Spif])>
                    {text("Minimum deal size", "min_deal", Some("Optional: only deals of at least this amount earn the bonus."), "text", |f| &f.min_deal, |f| &mut f.min_deal)}
                </Show>
                <Show when=shows(&[KindName::Flat, KindName::Tiered, KindName::Spif])>
                    {text("Currency", "currency", Some("A rule with amounts pays on deals in this currency."), "text", |f| &f.currency, |f| &mut f.currency)}
                </Show>
                {text("Priority", "priority", Some("0 to 1000: among equally specific rules in force, the higher wins."), "text", |f| &f.priority, |f| &mut f.priority)}
                {text("First day", "effective_from", None, "date", |f| &f.effective_from, |f| &mut f.effective_from)}
                {text("Last day", "effective_to", Some("Optional for base rules; a SPIF's window ends here."), "date", |f| &f.effective_to, |f| &mut f.effective_to)}
                <div class="form-actions">
                    {move || save.value().get().and_then(|r| r.err()).filter(|e| !matches!(e, AppError::Invalid { .. })).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
                    <button type="button" class="button" on:click=run_preview disabled=move || preview.pending().get() data-testid="preview-rule">
                        {move || if preview.pending().get() { "Replaying…" } else { "Preview last quarter" }}
                    </button>
                    <button type="submit" class="button primary" disabled=move || save.pending().get()>
                        {if rule_id.is_some() { "Save new version" } else { "Save rule" }}
                    </button>
                    <A href="/payouts/rules" attr:class="button">"Cancel"</A>
                </div>
            </form>
            <section class="card preview-card" aria-live="polite" data-testid="rule-preview">
                <header class="card-header">
                    <h2>"What-if: last quarter"</h2>
                    <p class="subtle">"Last quarter's won deals replayed under the rules in force and with this rule saved."</p>
                </header>
                {move || match preview.value().get() {
                    None => view! { <p class="card-body subtle">"Preview to see who would earn what."</p> }.into_any(),
                    Some(Ok(p)) => view! { <Preview preview=p/> }.into_any(),
                    Some(Err(AppError::Invalid { .. })) => view! { <p class="card-body subtle">"Correct the highlighted fields to see the preview."</p> }.into_any(),
                    Some(Err(error)) => view! { <ErrorPanel error/> }.into_any(),
                }}
            </section>
        </div>
    }
}

#[component]
fn Preview(preview: RulePreview) -> impl IntoView {
    if preview.credits == 0 {
        return view! {
            <p class="card-body subtle" data-testid="preview-empty">
                {format!("No deals were won in {}, so there is nothing to replay.", preview.period)}
            </p>
        }
        .into_any();
    }
    view! {
        <div class="card-body">
            <p data-testid="preview-summary">
                <strong>{format!("{} partners", preview.rows.len())}</strong>
                {format!(" would earn differently on {} credits won in {}; {} unchanged.", preview.credits, preview.period, preview.unchanged)}
            </p>
            {preview.as_if_whole_period.then(|| view! {
                <p class="subtle">{format!("The rule's dates fall outside {}: it is replayed as if in force all quarter.", preview.period)}</p>
            })}
            {preview.totals.iter().map(|(now, proposed)| {
                let (change, tone) = change_text(now, proposed);
                view! {
                    <p class="subtle">
                        "Commissions: " {now.format()} " now, " <strong>{proposed.format()}</strong> " with the rule "
                        <span class=format!("delta {tone}")>{format!("({change})")}</span>
                    </p>
                }
            }).collect_view()}
        </div>
        {(!preview.rows.is_empty()).then(|| view! {
            <div class="table-scroll">
                <table class="table" data-testid="rule-preview-table">
                    <thead><tr><th>"Partner"</th><th class="num">"Deals"</th><th class="num">"Now"</th><th class="num">"With the rule"</th><th class="num">"Change"</th></tr></thead>
                    <tbody>
                        {preview.rows.into_iter().map(|row| {
                            let (change, tone) = change_text(&row.current, &row.proposed);
                            view! {
                                <tr>
                                    <td><a href=format!("/partners/{}", row.partner_id)>{row.partner_name}</a></td>
                                    <td class="num">{row.deals}</td>
                                    <td class="num">{row.current.format()}</td>
                                    <td class="num">{row.proposed.format()}</td>
                                    <td class=format!("num delta {tone}")>{change}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
    }
    .into_any()
}
