//! The log as a recording, over real HTTP and SQLite: each event carries when the server wrote
//! it, never earlier than the one before; `GET /events/head?at=T` is where the log stood at T
//! (where a replay ends); `GET /events?kind=…` finds a timeline's marks; and a log written
//! before events carried their recording time is given one on opening.

use parktwin_api::clock::format_utc;
use parktwin_api::model::{EventPage, EventsHead};
use parktwin_e2e::{send, start_server};
use serde_json::json;
use time::OffsetDateTime;

fn now() -> String {
    format_utc(OffsetDateTime::now_utc())
}

#[test]
fn the_head_at_a_time_is_the_last_event_recorded_by_then() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    let before = now();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let mut marks = Vec::new();
    for round in 0..3 {
        let readings: Vec<_> = (1..=5)
            .map(|k| json!({"sensor": format!("gd-{k:03}"), "time": now(), "value": 0.01 * f64::from(round)}))
            .collect();
        let (code, body) = send(
            "POST",
            &format!("{api}/observations"),
            Some(&s.ingest),
            Some(&json!(readings)),
        );
        assert_eq!(code, 200, "{body}");
        let head: EventsHead =
            serde_json::from_value(send("GET", &format!("{api}/events/head"), None, None).1).expect("head");
        std::thread::sleep(std::time::Duration::from_millis(5));
        marks.push((now(), head.seq));
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let head_at = |t: &str| -> i64 {
        let (code, body) = send(
            "GET",
            &format!("{api}/events/head?at={}", t.replace('+', "%2B")),
            None,
            None,
        );
        assert_eq!(code, 200, "{body}");
        body["seq"].as_i64().expect("seq")
    };
    assert_eq!(head_at(&before), 0, "nothing was recorded before the first batch");
    for (t, seq) in &marks {
        assert_eq!(head_at(t), *seq, "the head at {t}");
    }
    // A time in another zone names the same moment.
    let (t, seq) = &marks[1];
    let local = OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
        .expect("time")
        .to_offset(time::UtcOffset::from_hms(8, 0, 0).expect("UTC+8"))
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format");
    assert_eq!(head_at(&local), *seq, "{local}");

    // Every event says when it was recorded, in the log's order.
    let page: EventPage =
        serde_json::from_value(send("GET", &format!("{api}/events?since=0"), None, None).1).expect("page");
    assert_eq!(page.events.len(), 15);
    assert!(page.events.windows(2).all(|w| w[0].recorded <= w[1].recorded));
    assert!(page.events.iter().all(|e| e.recorded >= before));

    // A bad time is refused, naming the parameter.
    let (code, body) = send("GET", &format!("{api}/events/head?at=yesterday"), None, None);
    assert_eq!(code, 400);
    assert!(body["error"].as_str().is_some_and(|e| e.contains("\"at\"")), "{body}");
}

#[test]
fn the_timeline_finds_its_marks_by_kind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    // A quiet reading of gd-001, then one at twice its alarm threshold.
    let sensors = send("GET", &format!("{api}/sensors"), None, None).1;
    let gd1 = sensors
        .as_array()
        .and_then(|a| a.iter().find(|x| x["id"] == "gd-001"))
        .expect("gd-001");
    let alarm = gd1["alarm"].as_f64().expect("an alarm threshold");
    for value in [0.0, 2.0 * alarm] {
        let body = json!([{"sensor": "gd-001", "time": now(), "value": value}]);
        assert_eq!(
            send("POST", &format!("{api}/observations"), Some(&s.ingest), Some(&body)).0,
            200
        );
    }
    let marks: EventPage = serde_json::from_value(
        send(
            "GET",
            &format!("{api}/events?since=0&channel=live&kind=alarm_raised,incident_started"),
            None,
            None,
        )
        .1,
    )
    .expect("page");
    let kinds: Vec<&str> = marks.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["alarm_raised"]);
    assert_eq!(marks.events[0].payload["source"], "gd-001");
    let all: EventPage =
        serde_json::from_value(send("GET", &format!("{api}/events?since=0"), None, None).1).expect("page");
    assert_eq!(all.events.len(), 3, "two readings and the alarm");
}

#[test]
fn a_log_from_before_recording_times_gets_them_on_opening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("parktwin.sqlite");
    {
        // The events table as it was, with two events.
        let conn = rusqlite::Connection::open(&db).expect("db");
        conn.execute_batch(
            "CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL,
                channel TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL);
             INSERT INTO events (time, channel, kind, payload) VALUES
                ('2026-01-01T00:00:00.000Z', 'live', 'note', '{}'),
                ('2026-01-01T00:00:01.000Z', 'live', 'note', '{}');",
        )
        .expect("old schema");
    }
    let store = parktwin_server::Store::open(&db).expect("opens and upgrades");
    let page = store.events_since(0, 10, None, None).expect("events");
    let recorded: Vec<&str> = page.events.iter().map(|e| e.recorded.as_str()).collect();
    assert_eq!(recorded, ["2026-01-01T00:00:00.000Z", "2026-01-01T00:00:01.000Z"]);
    assert_eq!(store.head_at("2026-01-01T00:00:00.500Z").expect("head"), 1);
    assert_eq!(store.head_at("2030-01-01T00:00:00.000Z").expect("head"), 2);
}

#[test]
fn a_page_served_is_the_page_the_store_holds_whatever_it_carries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    // Plates in Chinese, a drill's texts with quotes, backslashes and a line break: what a
    // page carries as stored must come out as the same JSON.
    let fixes = json!([{"plate": "鲁E·\"Q\"\\1", "time": now(), "lon": 118.44, "lat": 37.565, "speed_kmh": 12.5}]);
    assert_eq!(
        send(
            "POST",
            &format!("{api}/vehicles/positions"),
            Some(&s.ingest),
            Some(&fixes)
        )
        .0,
        200
    );
    let mut scenario: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../assets/scenarios/chlorine-tank-leak.json"
        ))
        .expect("scenario"),
    )
    .expect("JSON");
    scenario["events"][4]["text"] = json!("\"Evacuate\" the \\ north\nside — 立即撤离");
    parktwin_e2e::start_drill(&s, &scenario, 60.0);
    std::thread::sleep(std::time::Duration::from_millis(1500));

    let store = parktwin_e2e::open_store(dir.path());
    for (query, since, channel, kinds) in [
        ("since=0", 0, None, None),
        ("since=1&limit=3", 1, None, None),
        ("since=0&channel=drill:drill-1", 0, Some("drill:drill-1"), None),
        (
            "since=0&kind=position,drill_message",
            0,
            None,
            Some(vec!["position", "drill_message"]),
        ),
    ] {
        let limit = if query.contains("limit=3") { 3 } else { 1000 };
        let (code, body) = send("GET", &format!("{api}/events?{query}"), None, None);
        assert_eq!(code, 200, "{body}");
        let served: EventPage = serde_json::from_value(body).expect("a page");
        let held = store
            .events_since(since, limit, channel, kinds.as_deref())
            .expect("the store's page");
        assert!(!held.events.is_empty(), "{query}: something to compare");
        assert_eq!(served, held, "{query}");
    }
    let (_, page) = send("GET", &format!("{api}/events?since=0&kind=drill_message"), None, None);
    assert_eq!(
        page["events"][0]["payload"]["text"],
        "\"Evacuate\" the \\ north\nside — 立即撤离"
    );
}

/// Past a thousand events the feed's pages are cut from the log's complete blocks, read and
/// rendered once for every client (`server/src/pages.rs`), and from the database from the
/// block still filling: whatever the cursor, the page size, the channel or the kinds, the page
/// served is the page the store reads, the second client asking gets the same, and a page that
/// crosses blocks, or runs from kept blocks into the filling one, misses nothing.
#[test]
fn pages_cut_from_the_logs_kept_blocks_are_the_pages_the_store_holds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", s.url);
    for b in 0..10 {
        let fixes: Vec<_> = (0..260)
            .map(|k| {
                json!({"plate": format!("鲁E·T{k:03}"), "time": now(), "lon": 118.44 + f64::from(b) * 1e-4,
                            "lat": 37.565, "speed_kmh": 12.5})
            })
            .collect();
        let (code, body) = send(
            "POST",
            &format!("{api}/vehicles/positions"),
            Some(&s.ingest),
            Some(&json!(fixes)),
        );
        assert_eq!(code, 200, "{body}");
        let reading = json!([{"sensor": "gd-001", "time": now(), "value": 0.01}]);
        let (code, body) = send("POST", &format!("{api}/observations"), Some(&s.ingest), Some(&reading));
        assert_eq!(code, 200, "{body}");
    }
    let head: EventsHead =
        serde_json::from_value(send("GET", &format!("{api}/events/head"), None, None).1).expect("head");
    assert!(
        head.seq > 2000 && head.seq < 3000,
        "two complete blocks and one filling: {}",
        head.seq
    );
    let store = parktwin_e2e::open_store(dir.path());
    // (since, limit, channel, kinds)
    type Case<'a> = (i64, usize, Option<&'a str>, Option<&'a [&'a str]>);
    let cases: [Case; 10] = [
        (0, 1000, None, None),
        (999, 1000, None, None),
        (1000, 1000, None, None),
        (1500, 1000, None, None),
        (1995, 7, None, None),
        (head.seq - 10, 1000, None, None),
        (0, 1000, Some("live"), Some(&["observation"])),
        (500, 1000, None, Some(&["observation", "position"])),
        (0, 1000, Some("drill:none"), None),
        (head.seq, 1000, None, None),
    ];
    for (since, limit, channel, kinds) in cases {
        let mut query = format!("since={since}&limit={limit}");
        if let Some(c) = channel {
            query += &format!("&channel={c}");
        }
        if let Some(k) = kinds {
            query += &format!("&kind={}", k.join(","));
        }
        let held = store
            .events_since(since, limit, channel, kinds)
            .expect("the store's page");
        for client in ["first", "second"] {
            let (code, body) = send("GET", &format!("{api}/events?{query}"), None, None);
            assert_eq!(code, 200, "{query}: {body}");
            let served: EventPage = serde_json::from_value(body).expect("a page");
            assert_eq!(served, held, "{query}, {client} client");
        }
    }
    // The cases read across the blocks' ends and into the filling block.
    let page = store.events_since(1500, 1000, None, None).expect("page");
    assert_eq!(
        (page.events.len(), page.events[0].seq, page.next),
        (1000, 1501, 2500),
        "a page from the middle of one block to the middle of the next"
    );
    let observations = store
        .events_since(0, 1000, Some("live"), Some(&["observation"]))
        .expect("page");
    assert_eq!(
        observations.events.len(),
        10,
        "one reading after each batch, in all three blocks"
    );
}
