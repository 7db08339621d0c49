//! The platform's web application: the pages planners, procurement officers
//! and analysts use in the browser, served by `caisson serve` itself.
//!
//! This crate is assets and a router, nothing more. The assets (one HTML
//! page, one stylesheet, ES modules of our own) are compiled into the
//! binary, so the application works offline and asks nothing of any other
//! host. Every rule (who may see or change what, what a valid contribution
//! is) stays in the API under `/api/v1`: the pages only call it and show
//! its answers, including its located diagnostics.
//!
//! ```
//! let app: axum::Router = caisson_web::router();
//! # let _ = app;
//! ```

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// The Content-Security-Policy of every page and asset: scripts, styles,
/// requests and frames from this origin only (the run report is framed
/// from `/api/v1`), no inline script, no plugin, and the pages may be
/// framed by this origin only.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; \
base-uri 'none'; form-action 'self'; object-src 'none'";

/// One embedded file: its path under `/assets/`, media type and text.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    text: &'static str,
}

/// The page every route of the application answers with (the pages are
/// chosen in the browser from the URL's fragment).
const INDEX: &str = include_str!("../assets/index.html");

const JS: &str = "text/javascript; charset=utf-8";

/// Every asset, by name.
const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        text: include_str!("../assets/app.css"),
    },
    Asset {
        name: "app.js",
        content_type: JS,
        text: include_str!("../assets/app.js"),
    },
    Asset {
        name: "api.js",
        content_type: JS,
        text: include_str!("../assets/api.js"),
    },
    Asset {
        name: "dom.js",
        content_type: JS,
        text: include_str!("../assets/dom.js"),
    },
    Asset {
        name: "toml.js",
        content_type: JS,
        text: include_str!("../assets/toml.js"),
    },
    Asset {
        name: "editor.js",
        content_type: JS,
        text: include_str!("../assets/editor.js"),
    },
    Asset {
        name: "pages.js",
        content_type: JS,
        text: include_str!("../assets/pages.js"),
    },
    Asset {
        name: "runs.js",
        content_type: JS,
        text: include_str!("../assets/runs.js"),
    },
    Asset {
        name: "compliance.js",
        content_type: JS,
        text: include_str!("../assets/compliance.js"),
    },
    Asset {
        name: "ledger.js",
        content_type: JS,
        text: include_str!("../assets/ledger.js"),
    },
    Asset {
        name: "admin.js",
        content_type: JS,
        text: include_str!("../assets/admin.js"),
    },
];

/// Headers every answer of this router carries.
fn secured(content_type: &'static str, body: &'static str) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // The assets change with the binary; a revalidation costs little.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

async fn index() -> Response {
    secured("text/html; charset=utf-8", INDEX)
}

async fn asset(axum::extract::Path(name): axum::extract::Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(found) => secured(found.content_type, found.text),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The application's routes: `/` (the page) and `/assets/{name}`. Merge
/// it into the server's router beside `/api/v1`; it needs no state.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(index))
        .route("/assets/{name}", get(asset))
}

/// The names of the embedded assets (for tests and tooling).
pub fn asset_names() -> impl Iterator<Item = &'static str> {
    ASSETS.iter().map(|a| a.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    async fn get_path(path: &str) -> Response {
        router::<()>()
            .oneshot(
                Request::builder()
                    .uri(path)
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("infallible")
    }

    #[tokio::test]
    async fn the_page_and_every_asset_carry_the_policy() {
        let mut paths = vec!["/".to_owned()];
        paths.extend(asset_names().map(|n| format!("/assets/{n}")));
        for path in paths {
            let response = get_path(&path).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            let headers = response.headers();
            assert_eq!(headers[header::CONTENT_SECURITY_POLICY], CSP, "{path}");
            assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        }
    }

    #[tokio::test]
    async fn an_unknown_asset_is_not_found() {
        for path in ["/assets/nope.js", "/assets/..%2FCargo.toml", "/elsewhere"] {
            assert_eq!(
                get_path(path).await.status(),
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
    }

    /// Every script or stylesheet the page or a module names is embedded,
    /// and no asset names another host: the application works offline.
    #[test]
    fn assets_reference_only_embedded_files() {
        let mut texts = vec![("index.html", INDEX)];
        texts.extend(ASSETS.iter().map(|a| (a.name, a.text)));
        for (name, text) in texts {
            assert!(
                !text.contains("http://") && !text.contains("https://") && !text.contains("//cdn"),
                "{name} names another host"
            );
            for reference in referenced_assets(text) {
                assert!(
                    asset_names().any(|n| n == reference),
                    "{name} refers to {reference}, which is not embedded"
                );
            }
        }
    }

    /// The CSP allows no inline script: the page has no `<script>` body
    /// and no `on...=` handler attribute, and no module sets `innerHTML`
    /// (every text from the API goes through text nodes).
    #[test]
    fn no_inline_script_and_no_html_injection() {
        assert!(!INDEX.contains("<script>"), "inline script in index.html");
        assert!(!INDEX.contains(" onclick="), "inline handler in index.html");
        for a in ASSETS {
            assert!(!a.text.contains("innerHTML"), "{} sets innerHTML", a.name);
            assert!(!a.text.contains("eval("), "{} calls eval", a.name);
        }
    }

    /// `/assets/NAME` and `./NAME.js` references of a text.
    fn referenced_assets(text: &str) -> Vec<&str> {
        let mut found = Vec::new();
        for prefix in ["/assets/", "from './"] {
            let mut rest = text;
            while let Some(at) = rest.find(prefix) {
                let after = &rest[at + prefix.len()..];
                let end = after
                    .find(|c: char| {
                        !(c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_')
                    })
                    .unwrap_or(after.len());
                found.push(&after[..end]);
                rest = &after[end..];
            }
        }
        found
    }

    #[test]
    fn references_are_found() {
        assert_eq!(
            referenced_assets("<script src=\"/assets/app.js\"> import { x } from './api.js';"),
            vec!["app.js", "api.js"]
        );
    }
}
