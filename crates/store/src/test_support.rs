//! A fresh database per repository test.

use crate::Store;

/// A migrated store on a temporary file; keep the directory alive for the test.
pub(crate) async fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = Store::connect(&url).await.expect("store");
    (dir, store)
}
