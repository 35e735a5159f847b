//! The ParkTwin map with the hydrant layer plugged in:
//!
//! ```text
//! cargo run -p parktwin-example-hydrants -- http://127.0.0.1:8080
//! ```

use parktwin::{AppConfig, Mode, build_app, check_display};
use parktwin_example_hydrants::HydrantPlugin;

fn main() -> anyhow::Result<()> {
    let server = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());
    check_display()?;
    let mut app = build_app(&AppConfig {
        server,
        size: (1600, 900),
        mode: Mode::Interactive,
        token: None,
        lang: parktwin::i18n::Lang::En,
        select: None,
        layers_dir: None,
        wall: None,
    });
    app.add_plugins(HydrantPlugin);
    app.run();
    Ok(())
}
