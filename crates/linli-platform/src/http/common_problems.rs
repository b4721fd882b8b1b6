//! Answers every operation can give for reasons outside its own handler, added to the OpenAPI
//! document in one place so no operation forgets one (the API fuzz checks every status the
//! platform sends against the document):
//!
//! - 400 `malformed_request` where a path or query parameter or a body may not parse (an id
//!   that is not a UUID), and `idempotency_key_invalid` on a POST;
//! - on every POST, 409 `idempotency_key_in_progress` and 422 `idempotency_key_reused` from
//!   the idempotency layer.

use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::Ref;
use utoipa::openapi::{ContentBuilder, OpenApi, RefOr, ResponseBuilder};

fn problem(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                super::problem::PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build(),
    )
}

fn add(operation: &mut Operation, status: &str, description: &str) {
    operation
        .responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| problem(description));
}

/// Adds the common answers to every operation of `doc` that can give them.
pub fn document(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let shared_params = item.parameters.as_ref().is_some_and(|p| !p.is_empty());
        let operations = [
            (&mut item.get, false),
            (&mut item.put, false),
            (&mut item.delete, false),
            (&mut item.post, true),
        ];
        for (operation, is_post) in operations {
            let Some(operation) = operation.as_mut() else {
                continue;
            };
            let takes_input = shared_params
                || is_post
                || operation.request_body.is_some()
                || operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
            if takes_input {
                add(
                    operation,
                    "400",
                    "`malformed_request`: a parameter or the body cannot be read; \
                     `idempotency_key_invalid`",
                );
            }
            if is_post {
                add(
                    operation,
                    "409",
                    "`idempotency_key_in_progress`: a request with this key is still running",
                );
                add(
                    operation,
                    "422",
                    "`idempotency_key_reused`: the key was used for another request",
                );
            }
        }
    }
}
