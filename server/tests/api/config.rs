use server::config::Config;
use server::startup::Application;

#[tokio::test]
async fn a_database_that_cannot_be_opened_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the database file should be: SQLite cannot open it.
    let path = dir.path().join("is-a-dir");
    std::fs::create_dir(&path).unwrap();
    let vars = [
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0".to_owned()),
        (
            "WEIQIAO_DATABASE_URL",
            format!("sqlite://{}", path.display()),
        ),
        ("WEIQIAO_SANDBOX", "1".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let config = Config::from_vars(&vars, dir.path()).unwrap();
    let err = Application::build(config)
        .await
        .err()
        .expect("build must fail");
    assert!(
        format!("{err:#}").contains("opening the database"),
        "{err:#}"
    );
}
