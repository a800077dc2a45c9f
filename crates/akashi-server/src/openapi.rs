//! An OpenAPI 3.1 document generated from the same table that mounts the routes.

use serde_json::{json, Map, Value};

/// One route: how it is documented and how it is mounted.
pub struct ApiRoute<R> {
    pub method: &'static str,
    /// OpenAPI path template.
    pub path: &'static str,
    pub summary: &'static str,
    /// Request body media type, if the route takes a body.
    pub request: Option<&'static str>,
    /// (status, media type, description).
    pub responses: &'static [(&'static str, &'static str, &'static str)],
    pub mount: fn(R) -> R,
}

/// The document for `routes`.
pub fn document<R>(routes: &[&ApiRoute<R>]) -> Value {
    let mut paths = Map::new();
    for route in routes {
        let responses: Map<String, Value> = route
            .responses
            .iter()
            .map(|(status, media, description)| {
                (
                    (*status).to_owned(),
                    json!({ "description": description, "content": { *media: {} } }),
                )
            })
            .collect();
        let mut operation = json!({
            "summary": route.summary,
            "responses": responses,
        });
        if route.path.starts_with("/oidc/") {
            // OAuth client authentication, cookies or DPoP: described per route.
        } else if route.path.starts_with("/pf/") {
            operation["security"] = json!([{ "serviceProviderCredential": [] }]);
        } else if route.path != "/healthz" {
            operation["security"] = json!([{ "verifierCredential": [] }]);
        }
        let parameters: Vec<Value> = route
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        if !parameters.is_empty() {
            operation["parameters"] = Value::Array(parameters);
        }
        if let Some(media) = route.request {
            operation["requestBody"] = json!({ "required": true, "content": { media: {} } });
        }
        let item = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| json!({}));
        item[route.method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Akashi: J-LIS and PF operator services", "version": env!("CARGO_PKG_VERSION") },
        "paths": paths,
        "components": { "securitySchemes": {
            "verifierCredential": { "type": "http", "scheme": "bearer" },
            "serviceProviderCredential": { "type": "http", "scheme": "bearer" },
        } },
    })
}
