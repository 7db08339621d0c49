//! A contribution as a spreadsheet: `GET`/`PUT
//! /rounds/{round}/contributions/{org}/workbook` (an extension of the spec).

use caisson_sheets::{read_xlsx_bytes, xlsx_bytes, Cell, Sheet};

use crate::both;
use crate::support::{observer, Backend, Party, TestApp};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn contributions(app: &TestApp) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM contributions")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    n
}

async fn workbook(party: &Party, path: &str) -> Vec<Sheet> {
    let (status, content_type, bytes) = party.get_bytes(path).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(content_type, XLSX);
    read_xlsx_bytes(&bytes, "download").expect("a workbook")
}

/// The workbook with the cell at `row` (0-based, below the header) and
/// `column` of `sheet` set.
fn with_cell(
    mut sheets: Vec<Sheet>,
    sheet: &str,
    row: usize,
    column: usize,
    cell: Cell,
) -> Vec<u8> {
    let target = sheets
        .iter_mut()
        .find(|s| s.name == sheet)
        .expect("the sheet");
    target.rows[row][column] = cell;
    xlsx_bytes(&sheets).expect("written")
}

/// Download, refused uploads (located diagnostics, nothing stored), a good
/// upload, and who may do what.
async fn contribution_workbook_round_trip(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let round = app.contributed_round().await;
    let path = format!("/rounds/{}/contributions/prod/workbook", round.id);
    let sheets = workbook(&round.prod, &path).await;
    let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "facilities",
            "stock",
            "lines",
            "line_products",
            "expansions"
        ]
    );
    let lines = sheets.iter().find(|s| s.name == "lines").expect("lines");
    // The ids as the producer wrote them (not qualified), capacity per period.
    assert_eq!(lines.rows[0][0], Cell::text("plant"));
    assert_eq!(lines.rows[0][1], Cell::text("l1"));
    assert_eq!(lines.rows[0][2..], vec![Cell::Number(100.0); 3]);
    // A state's workbook has its parts' sheets.
    let need = workbook(
        &round.state,
        &format!("/rounds/{}/contributions/stateb/workbook", round.id),
    )
    .await;
    let names: Vec<&str> = need.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["demands", "policies"]);

    // Readers as for the TOML: the coordinator views it, the other member
    // and an observer get 404, as for nothing contributed.
    workbook(&round.coord, &path).await;
    let (status, _, hidden) = round.state.get_bytes(&path).await;
    assert_eq!(status, 404);
    let ngo = app.party(observer()).await;
    assert_eq!(ngo.get_bytes(&path).await.0, 404);
    let (status, _, missing) = round
        .coord
        .get_bytes(&format!(
            "/rounds/{}/contributions/coord/workbook",
            round.id
        ))
        .await;
    assert_eq!(status, 404);
    assert_eq!(hidden, missing);

    // A negative capacity: the model's diagnostic at its cell.
    let bad = with_cell(sheets.clone(), "lines", 0, 2, Cell::Number(-5.0));
    let answer = round
        .prod
        .put_bytes(&path, XLSX, bad.clone())
        .await
        .expect(422);
    assert_eq!(answer.code(), "invalid_scenario");
    let diagnostics = answer.json()["error"]["diagnostics"].clone();
    let located = diagnostics.as_array().and_then(|d| {
        d.iter()
            .find(|d| d["sheet"] == "lines" && d["row"] == 2 && d["column"] == "C")
    });
    assert!(located.is_some(), "{diagnostics}");
    // Text in a number cell: the workbook's own diagnostic at its cell.
    let text = with_cell(sheets.clone(), "lines", 0, 3, Cell::text("lots"));
    let answer = round.prod.put_bytes(&path, XLSX, text).await.expect(422);
    let diagnostics = answer.json()["error"]["diagnostics"].clone();
    assert_eq!(diagnostics[0]["sheet"], "lines", "{diagnostics}");
    assert_eq!(diagnostics[0]["row"], 2, "{diagnostics}");
    assert_eq!(diagnostics[0]["column"], "D", "{diagnostics}");
    // Not a workbook, not a spreadsheet type.
    assert_eq!(
        round
            .prod
            .put_bytes(&path, XLSX, b"not a zip".to_vec())
            .await
            .expect(400)
            .code(),
        "bad_request"
    );
    round
        .prod
        .put_bytes(&path, "text/plain", bad.clone())
        .await
        .expect(415);
    // Who may write: the coordinator views it (403), others do not (404).
    round
        .coord
        .put_bytes(&path, XLSX, bad.clone())
        .await
        .expect(403);
    round
        .state
        .put_bytes(&path, XLSX, bad.clone())
        .await
        .expect(404);
    ngo.put_bytes(&path, XLSX, bad).await.expect(404);
    assert_eq!(
        contributions(&app).await,
        2,
        "a refused upload stored something"
    );

    // A good one: version 2, read back as TOML and as a workbook.
    let good = with_cell(sheets, "lines", 0, 2, Cell::Number(150.0));
    let stored = round
        .prod
        .put_bytes(&path, XLSX, good.clone())
        .await
        .expect(200);
    assert_eq!(stored.json()["version"], 2);
    let toml = round
        .prod
        .get(&format!("/rounds/{}/contributions/prod", round.id))
        .await
        .expect(200)
        .text;
    assert!(toml.contains("\"2026-01\" = 150"), "{toml}");
    let back = workbook(&round.prod, &path).await;
    let lines = back.iter().find(|s| s.name == "lines").expect("lines");
    assert_eq!(lines.rows[0][2], Cell::Number(150.0));
    // The same workbook again stores nothing new.
    let again = round.prod.put_bytes(&path, XLSX, good).await.expect(200);
    assert_eq!(again.json()["version"], 2);
    assert_eq!(contributions(&app).await, 3);
    app.stop().await;
}
both!(contribution_workbook_round_trip);
