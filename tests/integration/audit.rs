//! The audit trail: append-only in the code and in the database, and readable as the activity
//! log with its filters.

use crate::common;

use backend::demo;
use backend::entities::payouts;
use chrono::{Duration, Utc};
use partner_attribution::api::audit::AuditPage;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// No code path changes or removes an audit event: the only writes are inserts.
#[test]
fn no_code_updates_or_deletes_audit_events() {
    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Vec::new();
    files(&root.join("src"), &mut sources);
    assert!(sources.len() > 50, "found the sources");
    let forbidden = [
        "update_many",
        "delete_many",
        "delete_by_id",
        ".update(",
        ".delete(",
        "save(",
        "update audit_events",
        "delete from audit_events",
    ];
    let mut offences = Vec::new();
    for path in &sources {
        let text = std::fs::read_to_string(path).unwrap();
        // Statements span lines: look at each one that names the table or its entity.
        for statement in text.split(';') {
            let lower = statement.to_lowercase();
            if lower.contains("audit_events") {
                for word in forbidden {
                    if lower.contains(word) {
                        offences.push(format!("{}: {word}", path.display()));
                    }
                }
            }
        }
    }
    assert!(offences.is_empty(), "{offences:#?}");
}

async fn append_only(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(71, 80, Utc::now()))
        .await
        .unwrap();
    let app = common::TestApp::spawn(db).await;
    // Signing in records an event.
    let admin = app
        .signed_in("admin@northwind.example", demo::DEMO_PASSWORD)
        .await;
    for sql in [
        "UPDATE audit_events SET action = 'x'",
        "DELETE FROM audit_events",
    ] {
        let refused = app.db.execute_unprepared(sql).await;
        assert!(
            refused.is_err_and(|e| e.to_string().contains("append-only")),
            "{sql}"
        );
    }

    // Finance approves a payout; the log shows it with what changed, filterable every way.
    let finance = app
        .signed_in("finance@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let pending = payouts::Entity::find()
        .filter(payouts::Column::Status.eq("pending"))
        .order_by_asc(payouts::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let id = pending.id.to_string();
    let approved = app
        .call(
            &finance,
            "/api/payouts/act",
            &[("id", &id), ("form[verb]", "approve")],
        )
        .await;
    assert_eq!(approved.status(), 200);
    let list = |form: Vec<(&'static str, String)>| {
        let (app, admin) = (&app, &admin);
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response = app.call(admin, "/api/audit/list", &form).await;
            assert_eq!(response.status(), 200);
            response.json::<AuditPage>().await.unwrap()
        }
    };
    let by_action = list(vec![("filter[action]", "payout.approved".into())]).await;
    assert_eq!(by_action.total, 1);
    let event = &by_action.rows[0];
    assert_eq!(event.actor, "finance@northwind.example");
    assert_eq!(event.entity_id, Some(pending.id));
    let status = event.changes.iter().find(|c| c.field == "status").unwrap();
    assert_eq!(
        (status.before.as_deref(), status.after.as_deref()),
        (Some("pending"), Some("approved"))
    );
    assert!(by_action.actions.contains(&"payout.approved".to_owned()));
    assert!(by_action.entity_types.contains(&"payout".to_owned()));

    let by_record = list(vec![
        ("filter[entity_type]", "payout".into()),
        ("filter[entity_id]", id.clone()),
    ])
    .await;
    assert_eq!(by_record.total, 1);
    let by_actor = list(vec![("filter[actor]", "FINANCE@".into())]).await;
    assert!(by_actor.total >= 2, "sign-in and approval");
    assert!(
        by_actor
            .rows
            .iter()
            .all(|r| r.actor == "finance@northwind.example")
    );
    let tomorrow = (Utc::now() + Duration::days(1)).date_naive().to_string();
    assert_eq!(list(vec![("filter[from]", tomorrow)]).await.total, 0);
    let everything = list(vec![]).await;
    assert!(
        everything.rows.windows(2).all(|w| w[0].at >= w[1].at),
        "newest first"
    );

    // Partner managers and partners do not read the log.
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;
    assert_eq!(
        app.call(&manager, "/api/audit/list", &[]).await.status(),
        403
    );
}
on_both_databases!(the_audit_trail_is_append_only_and_readable, append_only);
