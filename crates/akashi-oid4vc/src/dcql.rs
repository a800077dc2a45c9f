//! The Digital Credentials Query Language (OpenID4VP §6) and claim selection (§6.4.1).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{malformed, ProtocolError};

/// A DCQL query (§6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DcqlQuery {
    pub credentials: Vec<CredentialQuery>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_sets: Option<Value>,
}

/// A Credential Query (§6.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialQuery {
    pub id: String,
    pub format: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multiple: bool,
    /// Format-specific: `vct_values` for SD-JWT VC, [`crate::bbs::BbsMeta`] for the BBS format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<Vec<ClaimsQuery>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_sets: Option<Vec<Vec<String>>>,
}

/// A Claims Query (§6.3): a claims path pointer (§7), optionally with accepted values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimsQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub path: Vec<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Value>>,
}

/// Why a credential does not answer a query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unsatisfied {
    #[error("format {0} is not the query's")]
    Format(String),
    #[error("credential type {0} is not one the query accepts")]
    Type(String),
    #[error("no claim at {0}")]
    MissingClaim(String),
    #[error("the claim at {0} has none of the requested values")]
    Value(String),
}

impl DcqlQuery {
    /// Structural rules of §6.1–§6.3: unique non-empty ids, non-empty paths, claim sets that
    /// name claims ids.
    pub fn check(&self) -> Result<(), ProtocolError> {
        let what = "dcql_query";
        if self.credentials.is_empty() {
            return Err(malformed(what, "credentials is empty"));
        }
        let mut ids = std::collections::BTreeSet::new();
        for c in &self.credentials {
            let valid_id = !c.id.is_empty()
                && c.id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !valid_id || !ids.insert(c.id.as_str()) {
                return Err(malformed(what, format!("bad or repeated id {:?}", c.id)));
            }
            for claim in c.claims.iter().flatten() {
                if claim.path.is_empty() {
                    return Err(malformed(what, "a claims path is empty"));
                }
                if claim
                    .path
                    .iter()
                    .any(|p| !(p.is_string() || p.is_u64() || p.is_null()))
                {
                    return Err(malformed(
                        what,
                        "a claims path element is not a string, index or null",
                    ));
                }
            }
            if let Some(sets) = &c.claim_sets {
                let claim_ids: Vec<_> = c
                    .claims
                    .iter()
                    .flatten()
                    .filter_map(|q| q.id.as_deref())
                    .collect();
                if sets
                    .iter()
                    .flatten()
                    .any(|id| !claim_ids.contains(&id.as_str()))
                {
                    return Err(malformed(what, "claim_sets names an unknown claims id"));
                }
            }
        }
        Ok(())
    }
}

/// `a.b.c` for a path of strings (the dotted paths of `akashi-sdjwt`).
pub fn dotted(path: &[Value]) -> String {
    path.iter()
        .map(|p| match p {
            Value::String(s) => s.clone(),
            Value::Null => "*".to_owned(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Resolves a claims path pointer over `claims` (§7.1): the selected values.
pub fn resolve<'a>(claims: &'a Value, path: &[Value]) -> Vec<&'a Value> {
    let mut here = vec![claims];
    for element in path {
        here = here
            .into_iter()
            .flat_map(|v| -> Vec<&'a Value> {
                match (element, v) {
                    (Value::String(name), Value::Object(map)) => {
                        map.get(name).into_iter().collect()
                    }
                    (Value::Number(n), Value::Array(items)) => n
                        .as_u64()
                        .and_then(|i| items.get(i as usize))
                        .into_iter()
                        .collect(),
                    (Value::Null, Value::Array(items)) => items.iter().collect(),
                    _ => Vec::new(),
                }
            })
            .collect();
    }
    here
}

impl CredentialQuery {
    /// The claims to disclose from a credential of `format` and type `kind` whose full claim
    /// set is `claims` (§6.4.1): every requested claim (or the first satisfiable claim set),
    /// each value among `values` when those are given. The paths are returned as requested.
    pub fn select(
        &self,
        format: &str,
        kind: &str,
        claims: &Value,
        accepts_kind: impl Fn(&Option<Value>, &str) -> bool,
    ) -> Result<Vec<Vec<Value>>, Unsatisfied> {
        if format != self.format {
            return Err(Unsatisfied::Format(format.to_owned()));
        }
        if !accepts_kind(&self.meta, kind) {
            return Err(Unsatisfied::Type(kind.to_owned()));
        }
        let Some(queries) = &self.claims else {
            return Ok(Vec::new());
        };
        let check = |q: &ClaimsQuery| -> Result<Vec<Value>, Unsatisfied> {
            let found = resolve(claims, &q.path);
            if found.is_empty() {
                return Err(Unsatisfied::MissingClaim(dotted(&q.path)));
            }
            if let Some(values) = &q.values {
                if !found.iter().any(|v| values.contains(v)) {
                    return Err(Unsatisfied::Value(dotted(&q.path)));
                }
            }
            Ok(q.path.clone())
        };
        match &self.claim_sets {
            None => queries.iter().map(check).collect(),
            Some(sets) => {
                let mut last = Unsatisfied::MissingClaim(String::new());
                for set in sets {
                    let chosen: Result<Vec<_>, _> = set
                        .iter()
                        .map(|id| {
                            let q = queries
                                .iter()
                                .find(|q| q.id.as_deref() == Some(id.as_str()))
                                .ok_or_else(|| Unsatisfied::MissingClaim(id.clone()))?;
                            check(q)
                        })
                        .collect();
                    match chosen {
                        Ok(paths) => return Ok(paths),
                        Err(e) => last = e,
                    }
                }
                Err(last)
            }
        }
    }
}

/// SD-JWT VC meta (Appendix B.3.5): `vct_values` lists the accepted types.
pub fn sd_jwt_accepts(meta: &Option<Value>, vct: &str) -> bool {
    meta.as_ref()
        .and_then(|m| m.get("vct_values"))
        .and_then(Value::as_array)
        .is_some_and(|values| values.iter().any(|v| v.as_str() == Some(vct)))
}
