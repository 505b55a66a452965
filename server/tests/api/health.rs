use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_reports_the_version_and_a_responsive_database() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["sandbox"], true);
}

#[tokio::test]
async fn the_database_is_created_and_migrated_at_start() {
    let app = spawn_app().await;
    if !store::testing::on_postgres() {
        assert!(app.database_path().exists());
    }
    // Migrated: the newest table answers.
    let pool = app.raw_database().await.unwrap();
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM unassigned_authorizers")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn an_unknown_path_is_a_404_page_in_chinese() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("页面不存在"));
}
