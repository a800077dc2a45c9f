//! PAdES baseline (ETSI EN 319 142-1) for PDF contracts: each signature is an incremental
//! update (earlier signatures stay valid), signed in two phases so the card signs; B-T puts a
//! signature timestamp in the CMS before it is spliced in; B-LT adds a DSS with the signers'
//! paths and J-LIS revocation data; B-LTA adds a document timestamp, and renewing it adds the
//! last timestamp's validation data and a new document timestamp.
//!
//! The CMS is a CAdES detached signature over the byte ranges, with content-type,
//! message-digest and signing-certificate-v2 signed; the signing time is the PDF's /M entry
//! (ETSI EN 319 142-1 §5.3: no signing-time attribute).

use time::OffsetDateTime;

use akashi_cms::{prepare_digest, Prepared, SignedAttributes, ID_DATA};
use akashi_pdf::{PreparedSignature, SignatureSpec, SubFilter, ValidationData};

use crate::ltv::ValidationSource;
use crate::validate::Evidence;
use crate::{add_signature_timestamp, SignError, TimestampSource};

/// Room reserved in the PDF for one signature's CMS (with timestamp token and certificates).
const SIGNATURE_CAPACITY: usize = 24 * 1024;
/// Room for a document timestamp token.
const TIMESTAMP_CAPACITY: usize = 12 * 1024;

/// Phase one of a PAdES signature: the PDF update is written (with a placeholder) and the
/// signed attributes the card must sign are fixed.
pub struct PreparedPades {
    pdf: PreparedSignature,
    cms: Prepared,
}

/// Prepares signature field `field` of `pdf` for the holder of `certificate_der` at `now`.
pub fn prepare_pades(
    pdf: &[u8],
    field: &str,
    certificate_der: &[u8],
    now: OffsetDateTime,
) -> Result<PreparedPades, SignError> {
    let prepared = akashi_pdf::prepare_signature(
        pdf,
        &SignatureSpec {
            field_name: field,
            sub_filter: SubFilter::CadesDetached,
            signing_time: Some(now),
            reason: None,
            location: None,
            contents_capacity: SIGNATURE_CAPACITY,
        },
    )?;
    let cms = prepare_digest(
        ID_DATA,
        prepared.sha256(),
        certificate_der,
        &SignedAttributes {
            signing_time: None,
            signing_certificate_v2: true,
        },
    )?;
    Ok(PreparedPades { pdf: prepared, cms })
}

impl PreparedPades {
    /// What the card signs (the DER signed attributes).
    pub fn to_be_signed(&self) -> &[u8] {
        self.cms.to_be_signed()
    }

    /// B-B: the PDF with the card's `signature` in place.
    pub fn complete(self, signature: &[u8]) -> Result<Vec<u8>, SignError> {
        let cms = self.cms.complete(signature)?;
        Ok(self.pdf.complete(&cms)?)
    }

    /// B-T: the signature with a signature timestamp from `tsa`, in place.
    pub async fn complete_with_timestamp(
        self,
        signature: &[u8],
        tsa: &impl TimestampSource,
    ) -> Result<Vec<u8>, SignError> {
        let cms = add_signature_timestamp(&self.cms.complete(signature)?, tsa).await?;
        Ok(self.pdf.complete(&cms)?)
    }
}

/// B-T → B-LT: a DSS update with the validation data of every CAdES signature in `pdf`
/// (signer paths and J-LIS CRLs from `source`) and the TSA certificates of their timestamps.
pub async fn add_pades_validation_data(
    pdf: &[u8],
    source: &impl ValidationSource,
) -> Result<Vec<u8>, SignError> {
    let mut evidence = Evidence::default();
    let mut signed = Vec::new();
    for sig in akashi_pdf::signatures(pdf)? {
        let view = akashi_cms::parse_signed_data(&sig.cms)?;
        match sig.sub_filter {
            SubFilter::CadesDetached => {
                let signer = crate::ltv::signer_certificate(&view)?;
                evidence.extend(&source.validation_data(&signer).await?);
                if let Some(token) = crate::signature_timestamp(&sig.cms)? {
                    evidence.extend(&token_certificates(&token)?);
                }
            }
            SubFilter::Rfc3161 => evidence.extend(&token_certificates(&sig.cms)?),
            _ => continue,
        }
        signed.push(sig.cms);
    }
    evidence.extend(&source.tsa_validation_data().await?);
    if signed.is_empty() {
        return Err(SignError::Invalid(
            "the PDF holds no signature to add validation data for",
        ));
    }
    let vri: Vec<&[u8]> = signed.iter().map(Vec::as_slice).collect();
    Ok(akashi_pdf::add_dss(
        pdf,
        &ValidationData {
            certificates: evidence.certificates,
            ocsp_responses: evidence.ocsp_responses,
            crls: evidence.crls,
        },
        &vri,
    )?)
}

/// The certificates a timestamp token carries (the TSA's).
fn token_certificates(token: &[u8]) -> Result<Evidence, SignError> {
    Ok(Evidence {
        certificates: akashi_cms::parse_signed_data(token)?.certificates,
        ..Evidence::default()
    })
}

/// B-LT → B-LTA (and renewal): a document timestamp over the whole file so far.
pub async fn add_document_timestamp(
    pdf: &[u8],
    tsa: &impl TimestampSource,
) -> Result<Vec<u8>, SignError> {
    let field = format!("DocTimeStamp{}", akashi_pdf::signatures(pdf)?.len() + 1);
    let prepared = akashi_pdf::prepare_signature(
        pdf,
        &SignatureSpec {
            field_name: &field,
            sub_filter: SubFilter::Rfc3161,
            signing_time: None,
            reason: None,
            location: None,
            contents_capacity: TIMESTAMP_CAPACITY,
        },
    )?;
    let token = tsa.timestamp(prepared.sha256()).await?;
    Ok(prepared.complete(&token)?)
}

/// Renews the archive timestamp of a B-LTA PDF before its TSA certificate expires: the
/// validation data of everything so far (the last timestamp's TSA certificate included) in a
/// DSS update, then a new document timestamp over it.
pub async fn renew_archive_timestamp(
    pdf: &[u8],
    source: &impl ValidationSource,
    tsa: &impl TimestampSource,
) -> Result<Vec<u8>, SignError> {
    let with_data = add_pades_validation_data(pdf, source).await?;
    add_document_timestamp(&with_data, tsa).await
}
