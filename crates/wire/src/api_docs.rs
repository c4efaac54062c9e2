//! The REST API's reference, as the in-app documentation page shows it: read from the same
//! OpenAPI document the API serves at `/api/v1/openapi.json`, so the two cannot disagree.
//! Public: integrators read it before they have an account.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiReference {
    pub title: String,
    pub version: String,
    pub description: String,
    pub groups: Vec<ApiGroup>,
    pub schemas: Vec<ApiSchema>,
    pub problems: Vec<ProblemKind>,
}

/// The operations under one tag (partners, deals, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiGroup {
    pub name: String,
    pub description: String,
    pub operations: Vec<ApiOperation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiOperation {
    /// The operation id, used as the section's anchor.
    pub id: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    pub parameters: Vec<ApiField>,
    /// The request body's type, when the operation takes one.
    pub request: Option<TypeLabel>,
    pub responses: Vec<ApiResponse>,
}

/// A parameter or a schema property.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiField {
    pub name: String,
    /// `path`, `query`, or empty for a property.
    pub location: String,
    pub required: bool,
    pub kind: TypeLabel,
    pub description: String,
}

/// A type in words, linking to the schema it names if any (`Partner`, `array of Deal`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeLabel {
    pub text: String,
    pub schema: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiResponse {
    pub status: String,
    pub content_type: Option<String>,
    pub body: Option<TypeLabel>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiSchema {
    pub name: String,
    pub description: String,
    pub fields: Vec<ApiField>,
    /// For a string with a closed set of values.
    pub values: Vec<String>,
}

/// A problem type of the API's errors (`/api-docs#problem-<slug>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemKind {
    pub slug: String,
    pub status: u16,
    pub title: String,
}
