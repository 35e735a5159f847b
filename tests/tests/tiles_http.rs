//! The offline basemap over real HTTP: a server given an MBTiles file, or the same tiles as
//! PMTiles written by the format's reference implementation, serves each tile in XYZ numbering
//! (the MBTiles rows counted from the south, the PMTiles tiles found along the Hilbert curve
//! through its directories) with the set's description; a missing tile, a bad address and a
//! tile of a server without a basemap answer 404 (its description is null); a file that is no tile set is refused at the start,
//! naming it and the reason.

use parktwin_e2e::tiles::{pmtiles_from_mbtiles, solid_png, tile_colour, write_mbtiles};
use parktwin_e2e::{send, start_server, start_tiles_server};

/// The demo park's surroundings: west, south, east, north.
const BOUNDS: [f64; 4] = [118.40, 37.53, 118.50, 37.60];

fn get(url: &str) -> reqwest::blocking::Response {
    reqwest::blocking::get(url).expect("the server answers")
}

#[test]
fn a_basemap_file_is_served_tile_by_tile_in_xyz_numbering() {
    let dir = tempfile::tempdir().expect("as set up");
    let mbtiles = dir.path().join("park.mbtiles");
    let tiles = write_mbtiles(&mbtiles, "Test park", "© test tiles", 10..=14, BOUNDS);
    assert!(tiles.len() > 20, "{} tiles", tiles.len());
    let pmtiles = dir.path().join("park.pmtiles");
    pmtiles_from_mbtiles(&mbtiles, &pmtiles);

    for file in [&mbtiles, &pmtiles] {
        let data = tempfile::tempdir().expect("as set up");
        let s = start_tiles_server(data.path(), file).expect("the server starts");
        let api = format!("{}/api/v1", s.url);
        let (code, info) = send("GET", &format!("{api}/tiles"), None, None);
        assert_eq!(code, 200, "{info}");
        assert_eq!(info["name"], "Test park");
        assert_eq!(info["format"], "png");
        assert_eq!(
            (info["min_zoom"].as_u64(), info["max_zoom"].as_u64()),
            (Some(10), Some(14))
        );
        assert_eq!(info["attribution"], "© test tiles");
        assert_eq!(info["template"], "/api/v1/tiles/{z}/{x}/{y}");
        let bounds: Vec<f64> = serde_json::from_value(info["bounds"].clone()).expect("bounds");
        for (got, want) in bounds.iter().zip(BOUNDS) {
            assert!((got - want).abs() < 1e-6, "{}: bounds {bounds:?}", file.display());
        }

        for &(z, x, y) in &tiles {
            let r = get(&format!("{api}/tiles/{z}/{x}/{y}"));
            assert_eq!(r.status().as_u16(), 200, "{}: {z}/{x}/{y}", file.display());
            assert_eq!(r.headers()["content-type"], "image/png");
            assert!(r.headers().contains_key("cache-control"));
            let body = r.bytes().expect("a body");
            assert_eq!(
                body.as_ref(),
                solid_png(tile_colour(z, x, y)),
                "{}: {z}/{x}/{y}",
                file.display()
            );
        }
        // A map client's address with the format's extension.
        let (z, x, y) = tiles[0];
        assert_eq!(get(&format!("{api}/tiles/{z}/{x}/{y}.png")).status().as_u16(), 200);
        // Outside the set, out of range, or no number: no tile, said as JSON.
        let (_, x_last, y_last) = *tiles.iter().rfind(|t| t.0 == 14).expect("zoom 14");
        for path in [
            format!("14/{}/{y_last}", x_last + 1),
            format!("15/{x}/{y}"),
            "3/8/0".to_string(),
            "30/0/0".to_string(),
            "ten/1/1".to_string(),
            "-1/0/0".to_string(),
        ] {
            let (code, why) = send("GET", &format!("{api}/tiles/{path}"), None, None);
            assert_eq!(code, 404, "{}: {path}: {why}", file.display());
            assert!(why["error"].as_str().is_some_and(|e| e.contains("tile")), "{why}");
        }
    }
}

/// Why a server given the tile file `tiles` does not start.
fn refusal(data: &std::path::Path, tiles: &std::path::Path) -> String {
    match start_tiles_server(data, tiles) {
        Ok(_) => panic!("{} was served", tiles.display()),
        Err(e) => format!("{e:#}"),
    }
}

#[test]
fn a_server_without_a_basemap_says_so_and_a_file_that_is_none_is_refused_naming_it() {
    let dir = tempfile::tempdir().expect("as set up");
    let s = start_server(dir.path(), None).expect("as set up");
    let (code, none) = send("GET", &format!("{}/api/v1/tiles", s.url), None, None);
    assert_eq!((code, none), (200, serde_json::Value::Null));
    let (code, why) = send("GET", &format!("{}/api/v1/tiles/12/3400/1500", s.url), None, None);
    assert_eq!(code, 404);
    assert!(why["error"].as_str().is_some_and(|e| e.contains("--tiles")), "{why}");

    let cases: [(&str, &[u8], &str); 4] = [
        ("notes.mbtiles", b"these are not tiles", "not an MBTiles file"),
        ("empty.pmtiles", b"PMTiles", "shorter than a PMTiles header"),
        (
            "old.pmtiles",
            &[b"PMTiles".as_slice(), &[2u8; 120]].concat(),
            "version 2",
        ),
        ("park.geojson", b"{}", "it takes .mbtiles and .pmtiles"),
    ];
    for (name, bytes, why) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("as set up");
        let data = tempfile::tempdir().expect("as set up");
        let text = refusal(data.path(), &path);
        assert!(text.contains(name) && text.contains(why), "{name}: {text}");
    }
    // An MBTiles file without a tile.
    let path = dir.path().join("bare.mbtiles");
    let conn = rusqlite::Connection::open(&path).expect("as set up");
    conn.execute_batch(
        "CREATE TABLE metadata (name TEXT, value TEXT);
         CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);",
    )
    .expect("as set up");
    drop(conn);
    let data = tempfile::tempdir().expect("as set up");
    let text = refusal(data.path(), &path);
    assert!(
        text.contains("bare.mbtiles") && text.contains("it has no tiles"),
        "{text}"
    );
}

#[test]
fn an_online_basemap_is_named_to_the_maps_and_its_host_let_through_the_pages_policy() {
    let dir = tempfile::tempdir().expect("as set up");
    let template = "https://t0.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec\
                    &STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=KEY";
    let s = parktwin_e2e::start_online_basemap_server(dir.path(), template, 1, 18).expect("the server starts");
    let (code, info) = send("GET", &format!("{}/api/v1/tiles", s.url), None, None);
    assert_eq!(code, 200, "{info}");
    assert_eq!(info["template"], template);
    assert_eq!(info["name"], "t0.tianditu.gov.cn");
    assert_eq!(info["attribution"], "© online check tiles");
    assert_eq!(
        (info["min_zoom"].as_u64(), info["max_zoom"].as_u64()),
        (Some(1), Some(18))
    );
    // The maps fetch its tiles from there: this server serves none of them.
    let (code, _) = send("GET", &format!("{}/api/v1/tiles/12/3400/1500", s.url), None, None);
    assert_eq!(code, 404);
    let policy = get(&s.url).headers()["content-security-policy"]
        .to_str()
        .expect("ASCII")
        .to_string();
    assert!(
        policy.contains("connect-src 'self' https://t0.tianditu.gov.cn;"),
        "{policy}"
    );

    for (bad, why) in [
        (
            "ftp://tiles.example.org/{z}/{x}/{y}.png",
            "not an http:// or https:// address",
        ),
        ("https://tiles.example.org/{z}/{x}.png", "has no {y}"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "names no host"),
    ] {
        let data = tempfile::tempdir().expect("as set up");
        let text = match parktwin_e2e::start_online_basemap_server(data.path(), bad, 0, 18) {
            Ok(_) => panic!("{bad} was taken"),
            Err(e) => format!("{e:#}"),
        };
        assert!(text.contains("--basemap-url") && text.contains(why), "{bad}: {text}");
    }
}
