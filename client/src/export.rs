//! Exports (an incident's zones, who is inside): written into [`EXPORT_DIR`] natively, handed
//! to the browser as a download on the web.

use crate::i18n::{Lang, Msg, tr};

/// The folder exports are written to (made on first export).
pub const EXPORT_DIR: &str = "parktwin-exports";

/// Hands an export to the browser as a download and says so (or why not).
#[cfg(target_arch = "wasm32")]
pub fn write(name: &str, text: &str, lang: Lang) -> String {
    match download(name, text) {
        Ok(()) => format!("{} {name}", tr(Msg::Saved, lang)),
        Err(e) => format!("{} {name}: {e}", tr(Msg::CannotWrite, lang)),
    }
}

/// Writes an export and says where (or why not).
#[cfg(not(target_arch = "wasm32"))]
pub fn write(name: &str, text: &str, lang: Lang) -> String {
    let dir = std::path::PathBuf::from(EXPORT_DIR);
    let path = dir.join(name);
    match std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&path, text)) {
        Ok(()) => format!("{} {}", tr(Msg::Saved, lang), path.display()),
        Err(e) => format!("{} {}: {e}", tr(Msg::CannotWrite, lang), path.display()),
    }
}

#[cfg(target_arch = "wasm32")]
fn js_err(e: wasm_bindgen::JsValue) -> String {
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

/// Offers `text` to the user as a downloaded file called `name` (a browser cannot write into a
/// folder).
#[cfg(target_arch = "wasm32")]
fn download(name: &str, text: &str) -> Result<(), String> {
    use wasm_bindgen::{JsCast, JsValue};
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(js_err)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js_err)?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(js_err)?
        .dyn_into()
        .map_err(|_| "cannot make a link".to_string())?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}
