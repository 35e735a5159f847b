//! The desktop watches `--layers DIR`: a new descriptor appears, an edited one is redrawn, a
//! broken edit is reported while the last good version stays, and a deleted one goes — all
//! without a restart.

use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use parktwin::described::{DescribedEvent, spawn_described};

const DATA: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":"m1","geometry":{"type":"Point","coordinates":[118.45,37.57]},"properties":{"kwh":120}}]}"#;

fn descriptor(colour: &str) -> String {
    format!(
        "id = \"meters\"\ntitle = \"Meters\"\ngroup = \"energy\"\n[source]\nfile = \"meters.geojson\"\n[style]\ncolour = \"{colour}\"\n"
    )
}

/// The next event that `pick` accepts, within 10 s.
fn next<T>(rx: &Receiver<DescribedEvent>, what: &str, pick: impl Fn(DescribedEvent) -> Option<T>) -> T {
    let until = Instant::now() + Duration::from_secs(10);
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        if let Ok(ev) = rx.recv_timeout(left)
            && let Some(t) = pick(ev)
        {
            return t;
        }
    }
    panic!("no {what} within 10 s");
}

#[test]
fn an_edited_descriptor_reloads_and_a_broken_edit_keeps_the_last_good_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::write(p.join("meters.geojson"), DATA).expect("write");
    std::fs::write(p.join("meters.toml"), descriptor("#00ff00")).expect("write");
    // No server: the local folder works on its own.
    let rx = spawn_described(
        &parktwin_api::client::ApiClient::new("http://127.0.0.1:9"),
        Some(p.to_path_buf()),
        true,
        None,
        crossbeam_channel::unbounded().1,
    );
    let colour = |ev: DescribedEvent| match ev {
        DescribedEvent::Put(l) => Some(l.descriptor.style.colour.clone()),
        _ => None,
    };
    assert_eq!(next(&rx, "the layer", colour), Some("#00ff00".into()));

    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(p.join("meters.toml"), descriptor("#ff0000")).expect("write");
    assert_eq!(next(&rx, "the edited layer", colour), Some("#ff0000".into()));

    std::fs::write(p.join("meters.toml"), descriptor("red")).expect("write");
    let problems = next(&rx, "the problem", |ev| match ev {
        DescribedEvent::Problems(p) if !p.is_empty() => Some(p),
        DescribedEvent::Remove(id) => panic!("{id} removed: a broken edit must keep the last good version"),
        _ => None,
    });
    let text = problems[0].to_string();
    assert!(
        text.contains("meters.toml:7: style.colour: \"red\" is not a colour"),
        "{text}"
    );

    std::fs::write(p.join("meters.toml"), descriptor("#0000ff")).expect("write");
    assert_eq!(next(&rx, "the mended layer", colour), Some("#0000ff".into()));
    next(&rx, "the problem cleared", |ev| match ev {
        DescribedEvent::Problems(p) if p.is_empty() => Some(()),
        _ => None,
    });

    // Edited data reloads too.
    std::fs::write(p.join("meters.geojson"), DATA.replace("120", "150")).expect("write");
    let kwh = next(&rx, "the new data", |ev| match ev {
        DescribedEvent::Put(l) => l.features.features[0]
            .properties
            .as_ref()
            .and_then(|m| m.get("kwh"))
            .and_then(serde_json::Value::as_f64),
        _ => None,
    });
    assert_eq!(kwh, 150.0);

    std::fs::remove_file(p.join("meters.toml")).expect("rm");
    let gone = next(&rx, "the removal", |ev| match ev {
        DescribedEvent::Remove(id) => Some(id),
        _ => None,
    });
    assert_eq!(gone, "meters");
}
