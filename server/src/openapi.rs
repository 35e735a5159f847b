//! The API's contract: each route is added with its description, so the router and the
//! OpenAPI 3.1 document served at `/api/v1/openapi.json` come from one list and neither can
//! name a route the other lacks. The schemas are the wire types' own (schemars, from the types
//! the server answers with and the client decodes, their doc comments as descriptions).
//!
//! Written here rather than taken from utoipa or aide: the wire types already derive schemars'
//! `JsonSchema` for the scenario format's published schema, utoipa would need a second derive
//! on every type, and aide's release for schemars 1 is still an alpha.

use axum::Json;
use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodFilter, get, on};
use parktwin_api::model::{ApiError, Role};
use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value, json};

/// Where the document is served, under the API's prefix.
pub const DOCUMENT_PATH: &str = "/openapi.json";

type SchemaOf = fn(&mut SchemaGenerator) -> Schema;

fn schema_of<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

/// A batch of `T`s as the ingest takes it: 1 to [`parktwin_api::ingest::MAX_BATCH`] records.
fn batch_of<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    let mut s = g.subschema_for::<Vec<T>>();
    s.insert("minItems".into(), 1.into());
    s.insert("maxItems".into(), parktwin_api::ingest::MAX_BATCH.into());
    s
}

/// A GeoJSON FeatureCollection (RFC 7946), the body of a layer and of an incident's zones.
fn feature_collection(_: &mut SchemaGenerator) -> Schema {
    Schema::try_from(json!({
        "type": "object",
        "description": "A GeoJSON FeatureCollection (RFC 7946), coordinates in WGS 84 longitude, latitude.",
        "required": ["type", "features"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {"type": "array", "items": {
                "type": "object",
                "required": ["type", "geometry"],
                "properties": {"type": {"const": "Feature"}, "geometry": {}, "properties": {}}
            }}
        }
    }))
    .expect("an object is a schema")
}

/// A text file.
fn text(_: &mut SchemaGenerator) -> Schema {
    Schema::try_from(json!({"type": "string"})).expect("an object is a schema")
}

/// One operation's description: what it does, what it takes and what it answers.
pub struct Op {
    summary: &'static str,
    query: Vec<(&'static str, &'static str, Value, bool)>,
    path_docs: Vec<(&'static str, &'static str)>,
    body: Option<(SchemaOf, &'static str)>,
    body_kind: &'static str,
    ok: (u16, &'static str, Option<SchemaOf>),
    /// Media types of a binary answer, any of which it may send (a tile's).
    binary: &'static [&'static str],
    roles: Option<(&'static [Role], &'static str)>,
    errors: Vec<(u16, &'static str)>,
    access: Access,
}

/// Who may call an operation, besides what [`Op::needs`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// A read: anyone under open reads, a token or a session under private reads. Every GET
    /// is one, and a POST that only computes ([`Op::reads`]).
    Read,
    /// A write: whoever [`Op::needs`] names.
    Write,
    /// Anyone, in both read modes ([`Op::public`]): the contract, signing in.
    Public,
}

impl Op {
    /// An operation that answers 200 with JSON (see [`Op::returns`]).
    pub fn new(summary: &'static str) -> Self {
        Op {
            summary,
            query: Vec::new(),
            path_docs: Vec::new(),
            body: None,
            body_kind: "application/json",
            ok: (200, "application/json", None),
            binary: &[],
            roles: None,
            errors: Vec::new(),
            access: Access::Write,
        }
    }

    /// A POST that only computes and reads (a what-if): it is a read, as a GET is.
    pub fn reads(mut self) -> Self {
        self.access = Access::Read;
        self
    }

    /// Anyone may call it, whether reads are open or private (signing in).
    pub fn public(mut self) -> Self {
        self.access = Access::Public;
        self
    }

    /// It answers 200 with a `T` as JSON.
    pub fn returns<T: JsonSchema>(mut self) -> Self {
        self.ok = (200, "application/json", Some(schema_of::<T>));
        self
    }

    /// It answers 201 with the `T` it made.
    pub fn creates<T: JsonSchema>(mut self) -> Self {
        self.ok = (201, "application/json", Some(schema_of::<T>));
        self
    }

    /// It answers 204 and no body.
    pub fn answers_nothing(mut self) -> Self {
        self.ok = (204, "", None);
        self
    }

    /// It answers 200 with a GeoJSON FeatureCollection.
    pub fn returns_geojson(mut self) -> Self {
        self.ok = (200, "application/geo+json", Some(feature_collection));
        self
    }

    /// It answers 200 with bytes of one of the media types `kinds` (a map tile).
    pub fn returns_binary(mut self, kinds: &'static [&'static str]) -> Self {
        self.binary = kinds;
        self
    }

    /// It answers 200 with text of the content type `kind` (a CSV file).
    pub fn returns_text(mut self, kind: &'static str) -> Self {
        self.ok = (200, kind, Some(text));
        self
    }

    /// It takes a JSON body that is a `T`, checked whole (400 when it is not JSON, 422 naming
    /// the field that is wrong, 413 over the size limit).
    pub fn body<T: JsonSchema>(mut self, what: &'static str) -> Self {
        self.body = Some((schema_of::<T>, what));
        self
    }

    /// It takes a CSV file as its body (`text/csv`; 422 naming the row and field that are
    /// wrong, 413 over the size limit).
    pub fn csv_body(mut self, what: &'static str) -> Self {
        self.body = Some((text, what));
        self.body_kind = "text/csv";
        self
    }

    /// It takes a JSON list of 1 to `MAX_BATCH` `T`s, each checked (the ingest's batches).
    pub fn batch<T: JsonSchema>(mut self, what: &'static str) -> Self {
        self.body = Some((batch_of::<T>, what));
        self
    }

    /// A query parameter, optional, with its JSON Schema (400 when it does not parse).
    pub fn query(mut self, name: &'static str, description: &'static str, schema: Value) -> Self {
        self.query.push((name, description, schema, false));
        self
    }

    /// A query parameter the operation cannot do without (400 when it is missing or does not
    /// parse).
    pub fn required_query(mut self, name: &'static str, description: &'static str, schema: Value) -> Self {
        self.query.push((name, description, schema, true));
        self
    }

    /// What a `{name}` of the path is (404 when there is none such).
    pub fn path(mut self, name: &'static str, description: &'static str) -> Self {
        self.path_docs.push((name, description));
        self
    }

    /// Only a bearer token of one of `roles` may (401 without a token, 403 with another's).
    pub fn needs(mut self, roles: &'static [Role], whose: &'static str) -> Self {
        self.roles = Some((roles, whose));
        self
    }

    /// Another refusal it may answer.
    pub fn refuses(mut self, status: u16, why: &'static str) -> Self {
        self.errors.push((status, why));
        self
    }

    /// The operation object for `path` (an axum/OpenAPI template: `/alarms/{id}/ack`), as a
    /// server whose reads are `private` or open asks for it.
    fn document(&self, method: &str, path: &str, private: bool, g: &mut SchemaGenerator) -> Value {
        let mut op = Map::new();
        op.insert("summary".into(), self.summary.into());
        op.insert("operationId".into(), operation_id(method, path).into());
        let mut params = Vec::new();
        for name in path_params(path) {
            let description = self.path_docs.iter().find(|(n, _)| *n == name).map_or("", |(_, d)| *d);
            params.push(json!({"name": name, "in": "path", "required": true,
                "description": description, "schema": no_nul(json!({"type": "string", "minLength": 1}))}));
        }
        for (name, description, schema, required) in &self.query {
            params.push(json!({"name": name, "in": "query", "required": required,
                "description": description, "schema": no_nul(schema.clone())}));
        }
        if !params.is_empty() {
            op.insert("parameters".into(), params.into());
        }
        if let Some((schema, what)) = &self.body {
            op.insert(
                "requestBody".into(),
                json!({"required": true, "description": what,
                    "content": {self.body_kind: {"schema": schema(g)}}}),
            );
        }
        let mut responses = Map::new();
        let (status, kind, schema) = &self.ok;
        let mut ok = json!({"description": "Done."});
        if let Some(schema) = schema {
            ok["content"] = json!({ *kind: {"schema": schema(g)} });
        }
        if !self.binary.is_empty() {
            ok["content"] = self
                .binary
                .iter()
                .map(|k| (k.to_string(), json!({"schema": {"type": "string", "format": "binary"}})))
                .collect::<Map<String, Value>>()
                .into();
        }
        responses.insert(status.to_string(), ok);
        let error = schema_of::<ApiError>(g);
        let mut refusals: Vec<(u16, String)> = Vec::new();
        if !self.query.is_empty() {
            refusals.push((400, "A query parameter does not parse or is out of range.".into()));
        }
        if self.body.is_some() {
            if self.body_kind == "application/json" {
                refusals.push((400, "The body is not JSON.".into()));
            }
            refusals.push((413, "The body is larger than the limit.".into()));
            refusals.push((422, "The body is wrong: the error names the field.".into()));
        }
        let access = if method == "get" && self.access == Access::Write {
            Access::Read
        } else {
            self.access
        };
        if let Some((roles, whose)) = &self.roles {
            refusals.push((
                401,
                "No bearer token or session, or an unknown, revoked or expired one.".into(),
            ));
            refusals.push((403, format!("A token of another role: {whose} may ({roles:?}).")));
            op.insert("security".into(), json!([{"bearer": []}, {"session": []}]));
        } else if access == Access::Read {
            // A read takes a token or a session, and needs one where the server runs with
            // --private-reads; an enterprise-scoped viewer's narrows what it answers.
            if private {
                refusals.push((
                    401,
                    "No bearer token or session (this server runs with --private-reads), or an unknown, revoked or expired one.".into(),
                ));
                op.insert("security".into(), json!([{"bearer": []}, {"session": []}]));
            } else {
                refusals.push((401, "An unknown, revoked or expired token or session.".into()));
                op.insert("security".into(), json!([{}, {"bearer": []}, {"session": []}]));
            }
        } else {
            op.insert("security".into(), json!([]));
        }
        if !path_params(path).is_empty() {
            refusals.push((404, "No such thing with that id.".into()));
        }
        refusals.extend(self.errors.iter().map(|(s, w)| (*s, w.to_string())));
        for (status, why) in refusals {
            let entry = responses
                .entry(status.to_string())
                .or_insert_with(|| json!({"description": "", "content": {"application/json": {"schema": error}}}));
            let text = entry["description"].as_str().unwrap_or("");
            entry["description"] = if text.is_empty() { why } else { format!("{text} {why}") }.into();
        }
        op.insert("responses".into(), responses.into());
        Value::Object(op)
    }
}

/// A string parameter's schema, saying what the server refuses of every path and query: a NUL
/// character (no name, id or time of the park holds one; see `refuse_nul` in the router).
fn no_nul(mut schema: Value) -> Value {
    if schema["type"] == "string" && schema.get("pattern").is_none() && schema.get("format").is_none() {
        schema["pattern"] = "^[^\\u0000]*$".into();
    }
    schema
}

/// The `{name}`s of a path template.
fn path_params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

/// A stable id for an operation: its method and the path's words (`post_alarms_id_ack`,
/// `get_after_action_timeline_csv`).
fn operation_id(method: &str, path: &str) -> String {
    let words: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_matches(['{', '}']).replace(['-', '.'], "_"))
        .collect();
    format!("{method}_{}", words.join("_"))
}

/// Routes with their description: the router and the document, built together.
pub struct Documented<S> {
    router: Router<S>,
    generator: SchemaGenerator,
    paths: Map<String, Value>,
    private: bool,
}

impl<S: Clone + Send + Sync + 'static> Documented<S> {
    /// Routes of a server whose reads are `private` (`--private-reads`) or open: the document
    /// says what each read asks in that mode.
    pub fn new(private: bool) -> Self {
        // JSON Schema 2020-12, which OpenAPI 3.1 takes as it is, with the definitions where an
        // OpenAPI document keeps them.
        let settings = SchemaSettings::draft2020_12().with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        });
        Documented {
            router: Router::new(),
            generator: settings.into_generator(),
            paths: Map::new(),
            private,
        }
    }

    /// The routes `more` adds (a concern's routes, kept in its own file).
    pub fn then(self, more: impl FnOnce(Self) -> Self) -> Self {
        more(self)
    }

    /// A DELETE route.
    pub fn delete<H: Handler<T, S>, T: 'static>(self, path: &str, handler: H, op: Op) -> Self {
        self.add(path, "delete", MethodFilter::DELETE, handler, op)
    }

    /// A GET route.
    pub fn get<H: Handler<T, S>, T: 'static>(self, path: &str, handler: H, op: Op) -> Self {
        self.add(path, "get", MethodFilter::GET, handler, op)
    }

    /// A POST route.
    pub fn post<H: Handler<T, S>, T: 'static>(self, path: &str, handler: H, op: Op) -> Self {
        self.add(path, "post", MethodFilter::POST, handler, op)
    }

    /// A PUT route.
    pub fn put<H: Handler<T, S>, T: 'static>(self, path: &str, handler: H, op: Op) -> Self {
        self.add(path, "put", MethodFilter::PUT, handler, op)
    }

    fn add<H: Handler<T, S>, T: 'static>(
        mut self,
        path: &str,
        method: &str,
        filter: MethodFilter,
        handler: H,
        op: Op,
    ) -> Self {
        // axum merges the methods of one path (and panics on one added twice).
        self.router = self.router.route(path, on(filter, handler));
        let operation = op.document(method, path, self.private, &mut self.generator);
        let item = self.paths.entry(path.to_string()).or_insert_with(|| json!({}));
        item[method] = operation;
        self
    }

    /// The router, with the document served at [`DOCUMENT_PATH`], and the document; `prefix`
    /// is where the router is nested (`/api/v1`), which the document's paths include.
    pub fn finish(mut self, prefix: &str) -> (Router<S>, Value) {
        let op = Op::new("This document: the API's contract, OpenAPI 3.1.").public();
        let mut document_op = op.document("get", DOCUMENT_PATH, self.private, &mut self.generator);
        document_op["responses"]["200"]["content"] = json!({"application/json": {"schema": {"type": "object"}}});
        self.paths
            .insert(DOCUMENT_PATH.to_string(), json!({ "get": document_op }));
        let paths: Map<String, Value> = self
            .paths
            .into_iter()
            .map(|(path, item)| (format!("{prefix}{path}"), item))
            .collect();
        let document = json!({
            "openapi": "3.1.0",
            "info": {
                "title": "ParkTwin",
                "version": env!("CARGO_PKG_VERSION"),
                "description": "The REST API of a ParkTwin server: the park, its layers and hazard sources, \
                    the live feed (readings, positions, weather, gate passes, alarms), incidents and their \
                    threat zones, drills and the video wall. Errors are JSON {\"error\": \"…\"} naming \
                    what is wrong. Writes need a bearer token or a signed-in session of the role each operation \
                    names; reads need one too where the server runs with --private-reads.",
            },
            "paths": paths,
            "components": {
                "schemas": self.generator.take_definitions(true),
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer",
                        "description": "A token from `parktwin-server token create --role ROLE --name NAME`, \
                            or a session's token from POST /api/v1/session."},
                    "session": {"type": "apiKey", "in": "cookie", "name": "parktwin_session",
                        "description": "The cookie POST /api/v1/session sets for a browser."},
                },
            },
        });
        let served = document.clone();
        let router = self
            .router
            .route(DOCUMENT_PATH, get(move || async move { Json(served) }));
        (router, document)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_come_from_the_template() {
        assert_eq!(path_params("/alarms/{id}/ack"), ["id"]);
        assert!(path_params("/park").is_empty());
    }

    #[test]
    fn an_operation_names_its_body_its_answer_and_its_refusals() {
        let mut g = SchemaSettings::draft2020_12()
            .with(|s| s.definitions_path = "/components/schemas".into())
            .into_generator();
        let op = Op::new("ack")
            .returns::<parktwin_api::model::Alarm>()
            .needs(&[Role::Operator], "an operator's")
            .document("post", "/alarms/{id}/ack", false, &mut g);
        assert_eq!(op["operationId"], "post_alarms_id_ack");
        assert_eq!(op["parameters"][0]["name"], "id");
        assert_eq!(
            op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Alarm"
        );
        for status in ["401", "403", "404"] {
            assert_eq!(
                op["responses"][status]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ApiError",
                "{status}"
            );
        }
        assert!(op["responses"].get("422").is_none(), "no body, no 422");
        assert!(g.definitions().contains_key("Alarm") && g.definitions().contains_key("ApiError"));
    }
}
