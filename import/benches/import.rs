//! Importing 100,000 buildings: time and peak memory (the process's VmHWM), from GeoJSON in
//! CGCS2000 / 3-degree Gauss–Krüger (a legacy `crs` member) and from the same as a GBK
//! Shapefile written by ogr2ogr; the baseline is the server reading the imported layer back
//! (`parse_layer_file`, what its seed does at start) in the same run.
//!
//! `cargo bench -p parktwin-import --bench import` (each measurement runs in a process of its
//! own, so that each peak is its own).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const BUILDINGS: usize = 100_000;

/// The process's peak resident memory, MiB (Linux's /proc/self/status VmHWM).
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// 100,000 square buildings of 20 m on a 300 × 334 grid, 40 m apart, in EPSG:4548 metres
/// around 117.9°E 37.6°N, with a name in Chinese, a use and a height.
fn write_input(dir: &Path) {
    let mut features = Vec::with_capacity(BUILDINGS);
    for i in 0..BUILDINGS {
        let (col, row) = ((i % 300) as f64, (i / 300) as f64);
        let (x, y) = (580_000.0 + col * 40.0, 4_160_000.0 + row * 40.0);
        let ring = [[x, y], [x + 20.0, y], [x + 20.0, y + 20.0], [x, y + 20.0], [x, y]];
        features.push(serde_json::json!({"type": "Feature", "properties": {
            "id": format!("bld-{i:06}"), "name_zh": format!("{}号楼", i + 1), "use": "workshop", "height_m": 6.0 + (i % 7) as f64 * 3.0},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}));
    }
    let fc = serde_json::json!({"type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4548"}}, "features": features});
    let gj = dir.join("geojson");
    std::fs::create_dir_all(&gj).expect("mkdir");
    std::fs::write(gj.join("buildings.geojson"), fc.to_string()).expect("write");
    let shp = dir.join("shp");
    std::fs::create_dir_all(&shp).expect("mkdir");
    let out = Command::new("ogr2ogr")
        .args(["-f", "ESRI Shapefile", "-lco", "ENCODING=GBK"])
        .arg(shp.join("buildings.shp"))
        .arg(gj.join("buildings.geojson"))
        .output()
        .expect("ogr2ogr (Debian's gdal-bin)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// One measurement, in this process: prints `seconds peak_mib`.
fn measure(phase: &str, dir: &Path) {
    let t = Instant::now();
    match phase {
        "baseline" => {
            let path = dir.join("out-geojson/park/layers/buildings.geojson");
            let text = std::fs::read_to_string(&path).expect("the imported layer");
            let features = parktwin_api::validate::parse_layer_file("buildings", &text).expect("valid");
            assert_eq!(features.len(), BUILDINGS);
        }
        "geojson" | "shp" => {
            let source = if phase == "geojson" {
                dir.join("geojson/buildings.geojson")
            } else {
                dir.join("shp/buildings.shp")
            };
            let s = parktwin_import::import(&parktwin_import::Options {
                out: dir.join(format!("out-{phase}")),
                sources: vec![source],
                ..parktwin_import::Options::default()
            })
            .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(s.layers["buildings"], BUILDINGS);
        }
        other => panic!("unknown phase {other}"),
    }
    println!("{} {}", t.elapsed().as_secs_f64(), peak_mib());
}

fn run(phase: &str, dir: &Path) -> (f64, f64) {
    let out = Command::new(std::env::current_exe().expect("exe"))
        .args(["--phase", phase])
        .arg(dir)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{phase}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or_default();
    let v: Vec<f64> = line.split_whitespace().filter_map(|t| t.parse().ok()).collect();
    (v[0], v[1])
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--phase") {
        measure(&args[i + 1], &PathBuf::from(&args[i + 2]));
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    write_input(dir.path());
    let size = |p: &str| std::fs::metadata(dir.path().join(p)).map_or(0, |m| m.len()) as f64 / 1_048_576.0;
    println!(
        "{BUILDINGS} buildings: GeoJSON {:.1} MiB, Shapefile {:.1} MiB (.shp) + {:.1} MiB (.dbf)",
        size("geojson/buildings.geojson"),
        size("shp/buildings.shp"),
        size("shp/buildings.dbf")
    );
    let gj = run("geojson", dir.path());
    let shp = run("shp", dir.path());
    let base = run("baseline", dir.path());
    println!("| run | time | × baseline | peak memory | × baseline |");
    println!("|---|---|---|---|---|");
    for (name, (t, m)) in [
        ("baseline: the server reads the imported layer back", base),
        ("import from GeoJSON (EPSG:4548)", gj),
        ("import from Shapefile (EPSG:4548, GBK)", shp),
    ] {
        println!(
            "| {name} | {t:.2} s | {:.2}× | {m:.0} MiB | {:.2}× |",
            t / base.0,
            m / base.1
        );
    }
}
