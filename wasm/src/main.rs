//! ParkTwin in the browser: the desktop client's app, built for `wasm32-unknown-unknown` with
//! WebGL2 and started by `index.html` (see `wasm/README.md` and `scripts/build-web`). The page
//! is served by the ParkTwin server, so the API is on the page's own origin.

#[cfg(target_arch = "wasm32")]
fn main() {
    let server = parktwin::web::origin().unwrap_or_default();
    // The panel speaks the browser's language when it is Chinese.
    let lang = web_sys::window()
        .and_then(|w| w.navigator().language())
        .filter(|l| l.to_ascii_lowercase().starts_with("zh"))
        .map_or(parktwin::i18n::Lang::En, |_| parktwin::i18n::Lang::Zh);
    let cfg = parktwin::AppConfig {
        server,
        // The canvas follows the page; this is only its size before the first layout.
        size: (1280, 720),
        mode: parktwin::Mode::Interactive,
        token: None,
        lang,
        select: None,
        layers_dir: None,
        // `?wall` in the address: the video wall's screen, on the page's whole canvas.
        wall: parktwin::web::wants_wall().then(parktwin::wall::WallConfig::default),
    };
    parktwin::build_app(&cfg).run();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("parktwin-web is the browser build: scripts/build-web builds it for wasm32-unknown-unknown");
    std::process::exit(2);
}
