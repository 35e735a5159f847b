//! The server over TLS (`--tls-cert`, `--tls-key`), as curl (Debian's, built on OpenSSL and
//! nghttp2) sees it: a handshake against a certificate OpenSSL made, HTTP/2 and HTTP/1.1, the
//! security headers, a session cookie marked Secure; CORS only for the origins configured; a
//! certificate that is missing or not PEM refused at start, naming the file.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// A self-signed certificate for 127.0.0.1 and its key, made by `openssl req`.
fn certificate(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ])
        .args([
            "-days",
            "2",
            "-subj",
            "/CN=parktwin-test",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl runs (Debian's openssl package)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (cert, key)
}

/// curl's answer to one request: the status line and headers (lower-cased names), and the body.
fn curl(cert: &Path, args: &[&str]) -> (String, String) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "20", "-D", "-", "--cacert"])
        .arg(cert)
        .args(args)
        .output()
        .expect("curl runs (Debian's curl package)");
    assert!(
        out.status.success(),
        "curl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (head.to_ascii_lowercase(), body.to_string())
}

#[test]
fn over_tls_the_server_speaks_http2_and_http11_with_its_security_headers_and_a_secure_cookie() {
    let dir = tempfile::tempdir().expect("as set up");
    let (cert, key) = certificate(dir.path());
    let data = dir.path().join("data");
    let made = {
        use std::io::Write as _;
        let mut child = Command::new(env!("CARGO_BIN_EXE_parktwin-server"))
            .arg("--data-dir")
            .arg(&data)
            .args(["user", "create", "--name", "ops-li", "--role", "operator"])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("as set up");
        child
            .stdin
            .take()
            .expect("as set up")
            .write_all(b"pipe-rack-7-north\n")
            .expect("as set up");
        child.wait().expect("as set up")
    };
    assert!(made.success());
    let (mut server, url) = common::start(
        &data,
        &[
            "--private-reads",
            "--tls-cert",
            cert.to_str().expect("as set up"),
            "--tls-key",
            key.to_str().expect("as set up"),
            "--cors-origin",
            "https://portal.example.cn",
        ],
    );
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let api = format!("{url}/api/v1");

    let (head, body) = curl(&cert, &["--http2", &format!("{api}/openapi.json")]);
    assert!(head.starts_with("http/2 200"), "{head}");
    assert!(body.contains("\"openapi\""), "the document, over HTTP/2");
    for header in [
        "strict-transport-security: max-age=31536000",
        "x-content-type-options: nosniff",
        "x-frame-options: deny",
        "referrer-policy: no-referrer",
    ] {
        assert!(head.contains(header), "{header} in {head}");
    }
    let csp = head
        .lines()
        .find(|l| l.starts_with("content-security-policy:"))
        .unwrap_or_else(|| panic!("a content-security-policy in {head}"));
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'"),
        "{csp}"
    );

    let (head, _) = curl(&cert, &["--http1.1", &format!("{api}/park")]);
    assert!(head.starts_with("http/1.1 401"), "a private park over HTTP/1.1: {head}");

    // A sign-in over TLS: the cookie is Secure, and it reads the park.
    let (head, body) = curl(
        &cert,
        &[
            "--http2",
            "-H",
            "Content-Type: application/json",
            "--data",
            r#"{"name": "ops-li", "password": "pipe-rack-7-north"}"#,
            &format!("{api}/session"),
        ],
    );
    assert!(head.starts_with("http/2 200"), "{head}\n{body}");
    let cookie = head
        .lines()
        .find(|l| l.starts_with("set-cookie:"))
        .unwrap_or_else(|| panic!("a cookie in {head}"));
    assert!(cookie.contains("; secure") && cookie.contains("httponly"), "{cookie}");
    let token = serde_json::from_str::<serde_json::Value>(&body).expect("as set up")["token"]
        .as_str()
        .expect("as set up")
        .to_string();
    let (head, _) = curl(
        &cert,
        &[
            "--http2",
            "--cookie",
            &format!("parktwin_session={token}"),
            &format!("{api}/park"),
        ],
    );
    assert!(head.starts_with("http/2 200"), "{head}");

    // CORS: the configured origin may call; another is not told it may.
    let (head, _) = curl(
        &cert,
        &[
            "-H",
            "Origin: https://portal.example.cn",
            &format!("{api}/openapi.json"),
        ],
    );
    assert!(
        head.contains("access-control-allow-origin: https://portal.example.cn"),
        "{head}"
    );
    let (head, _) = curl(
        &cert,
        &[
            "-H",
            "Origin: https://elsewhere.example",
            &format!("{api}/openapi.json"),
        ],
    );
    assert!(!head.contains("access-control-allow-origin"), "{head}");

    // Without the certificate curl refuses the handshake: it is TLS, and checked.
    let plain = Command::new("curl")
        .args(["-sS", "--max-time", "20", &format!("{api}/openapi.json")])
        .output()
        .expect("as set up");
    assert!(
        !plain.status.success(),
        "a self-signed certificate is not trusted without --cacert"
    );
    let _ = server.kill();
    let _ = server.wait();
}

#[test]
fn without_cors_configured_no_origin_is_allowed_and_plain_http_has_no_hsts() {
    let dir = tempfile::tempdir().expect("as set up");
    let (mut server, url) = common::start(dir.path(), &[]);
    let out = Command::new("curl")
        .args([
            "-sS",
            "-D",
            "-",
            "-o",
            "/dev/null",
            "-H",
            "Origin: https://portal.example.cn",
        ])
        .arg(format!("{url}/api/v1/park"))
        .output()
        .expect("as set up");
    let head = String::from_utf8_lossy(&out.stdout).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(!head.contains("access-control-allow-origin"), "{head}");
    assert!(!head.contains("strict-transport-security"), "{head}");
    assert!(head.contains("x-content-type-options: nosniff"), "{head}");
    let _ = server.kill();
    let _ = server.wait();
}

#[test]
fn a_certificate_that_is_missing_or_not_pem_stops_the_start_naming_the_file() {
    let dir = tempfile::tempdir().expect("as set up");
    let (cert, _) = certificate(dir.path());
    let not_pem = dir.path().join("key.der");
    std::fs::write(&not_pem, [0x30u8, 0x82, 0x01]).expect("as set up");
    for (c, k, says) in [
        (
            dir.path().join("missing.pem"),
            not_pem.clone(),
            "cannot read the TLS certificate",
        ),
        (cert.clone(), not_pem.clone(), "the TLS private key is not PEM"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_parktwin-server"))
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .args(["--listen", "127.0.0.1:0", "--tls-cert"])
            .arg(&c)
            .arg("--tls-key")
            .arg(&k)
            .output()
            .expect("as set up");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(said.contains(says), "{said}");
        let named = if says.contains("certificate") { &c } else { &k };
        assert!(said.contains(&named.display().to_string()), "{said}");
    }
}
