//! The OpenAPI document turned into the documentation page's data (`api::api_docs`).

use serde_json::Value;

use wire::api_docs::{
    ApiField, ApiGroup, ApiOperation, ApiReference, ApiResponse, ApiSchema, ProblemKind, TypeLabel,
};

const METHODS: &[&str] = &["get", "post", "put", "patch", "delete"];

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn schema_name(reference: &str) -> Option<String> {
    reference
        .strip_prefix("#/components/schemas/")
        .map(str::to_owned)
}

/// A schema in words: `Partner`, `string (date-time)`, `array of Deal`, `… or null`.
fn type_label(schema: &Value) -> TypeLabel {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = schema_name(reference);
        return TypeLabel {
            text: name.clone().unwrap_or_else(|| reference.to_owned()),
            schema: name,
        };
    }
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
        let labels: Vec<TypeLabel> = options.iter().map(type_label).collect();
        let schema = labels.iter().find_map(|l| l.schema.clone());
        let words: Vec<String> = labels.into_iter().map(|l| l.text).collect();
        return TypeLabel {
            text: words.join(" or "),
            schema,
        };
    }
    let kinds: Vec<String> = match schema.get("type") {
        Some(Value::String(kind)) => vec![kind.clone()],
        Some(Value::Array(kinds)) => kinds.iter().map(text).collect(),
        _ => vec!["any".to_owned()],
    };
    let mut schema_link = None;
    let words: Vec<String> = kinds
        .into_iter()
        .map(|kind| match kind.as_str() {
            "array" => {
                let item = schema.get("items").map(type_label);
                schema_link = item.as_ref().and_then(|i| i.schema.clone());
                format!(
                    "array of {}",
                    item.map_or_else(|| "any".to_owned(), |i| i.text)
                )
            }
            "null" => "null".to_owned(),
            other => match schema.get("format").and_then(Value::as_str) {
                Some(format) => format!("{other} ({format})"),
                None => other.to_owned(),
            },
        })
        .collect();
    TypeLabel {
        text: words.join(" or "),
        schema: schema_link,
    }
}

fn parameter(value: &Value) -> ApiField {
    ApiField {
        name: text(&value["name"]),
        location: text(&value["in"]),
        required: value["required"].as_bool().unwrap_or(false),
        kind: type_label(&value["schema"]),
        description: text(&value["description"]),
    }
}

/// The first media type of a request or response and its schema.
fn content(value: &Value) -> Option<(String, TypeLabel)> {
    let (media, body) = value.get("content")?.as_object()?.iter().next()?;
    Some((media.clone(), type_label(&body["schema"])))
}

fn operation(method: &str, path: &str, value: &Value) -> ApiOperation {
    let description = text(&value["description"]);
    ApiOperation {
        id: text(&value["operationId"]),
        method: method.to_uppercase(),
        path: path.to_owned(),
        summary: text(&value["summary"]),
        description,
        parameters: value["parameters"]
            .as_array()
            .map(|ps| ps.iter().map(parameter).collect())
            .unwrap_or_default(),
        request: value.get("requestBody").and_then(content).map(|(_, t)| t),
        responses: value["responses"]
            .as_object()
            .map(|rs| {
                rs.iter()
                    .map(|(status, r)| {
                        let body = content(r);
                        ApiResponse {
                            status: status.clone(),
                            content_type: body.as_ref().map(|(m, _)| m.clone()),
                            body: body.map(|(_, t)| t),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn schema(name: &str, value: &Value) -> ApiSchema {
    let required: Vec<&str> = value["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let fields = value["properties"]
        .as_object()
        .map(|props| {
            props
                .iter()
                .map(|(field, prop)| {
                    // A nullable reference carries its description on the reference.
                    let described = prop["description"].as_str().or_else(|| {
                        prop["oneOf"]
                            .as_array()?
                            .iter()
                            .find_map(|o| o["description"].as_str())
                    });
                    ApiField {
                        name: field.clone(),
                        location: String::new(),
                        required: required.contains(&field.as_str()),
                        kind: type_label(prop),
                        description: described.unwrap_or_default().to_owned(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    ApiSchema {
        name: name.to_owned(),
        description: text(&value["description"]),
        fields,
        values: value["enum"]
            .as_array()
            .map(|v| v.iter().map(text).collect())
            .unwrap_or_default(),
    }
}

pub fn build(document: &Value) -> ApiReference {
    let tags: Vec<(String, String)> = document["tags"]
        .as_array()
        .map(|tags| {
            tags.iter()
                .map(|t| (text(&t["name"]), text(&t["description"])))
                .collect()
        })
        .unwrap_or_default();
    let mut groups: Vec<ApiGroup> = tags
        .into_iter()
        .map(|(name, description)| ApiGroup {
            name,
            description,
            operations: Vec::new(),
        })
        .collect();
    if let Some(paths) = document["paths"].as_object() {
        for (path, item) in paths {
            for method in METHODS {
                let Some(value) = item.get(*method) else {
                    continue;
                };
                let tag = value["tags"][0].as_str().unwrap_or("other").to_owned();
                let op = operation(method, path, value);
                match groups.iter_mut().find(|g| g.name == tag) {
                    Some(group) => group.operations.push(op),
                    None => groups.push(ApiGroup {
                        name: tag,
                        description: String::new(),
                        operations: vec![op],
                    }),
                }
            }
        }
    }
    let schemas = document["components"]["schemas"]
        .as_object()
        .map(|all| all.iter().map(|(n, v)| schema(n, v)).collect())
        .unwrap_or_default();
    ApiReference {
        title: text(&document["info"]["title"]),
        version: text(&document["info"]["version"]),
        description: text(&document["info"]["description"]),
        groups,
        schemas,
        problems: super::problem::kinds()
            .map(|(status, slug, title)| ProblemKind {
                slug: slug.to_owned(),
                status,
                title: title.to_owned(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_lists_every_operation_and_schema_of_the_document() {
        let document = serde_json::to_value(super::super::openapi()).unwrap();
        let reference = build(&document);
        let operations: usize = reference.groups.iter().map(|g| g.operations.len()).sum();
        let in_document: usize = document["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|item| METHODS.iter().filter(|m| item.get(**m).is_some()).count())
            .sum();
        assert_eq!(operations, in_document);
        let partners = reference
            .groups
            .iter()
            .find(|g| g.name == "partners")
            .unwrap();
        let upsert = partners
            .operations
            .iter()
            .find(|o| o.id == "upsert_partner")
            .unwrap();
        assert_eq!(upsert.method, "PUT");
        assert_eq!(
            upsert.request.as_ref().unwrap().schema.as_deref(),
            Some("PartnerInput")
        );
        let deal = reference.schemas.iter().find(|s| s.name == "Deal").unwrap();
        let amount = deal.fields.iter().find(|f| f.name == "amount").unwrap();
        assert_eq!(amount.kind.schema.as_deref(), Some("Amount"));
        assert!(amount.required);
        let stage = reference
            .schemas
            .iter()
            .find(|s| s.name == "DealStage")
            .unwrap();
        assert_eq!(stage.values, ["open", "won", "lost"]);
        assert!(
            reference
                .problems
                .iter()
                .any(|p| p.slug == "rate-limited" && p.status == 429)
        );
    }
}
