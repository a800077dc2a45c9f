//! Distinguished names of the JPKI profile, encoded as real J-LIS certificates encode them:
//! `countryName` as PrintableString, every other attribute as UTF8String, one attribute per RDN.

use der::asn1::{Any, PrintableStringRef, SetOfVec, Utf8StringRef};
use der::{Tag, Tagged};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};

use crate::oid::{
    COMMON_NAME, COUNTRY_NAME, LOCALITY_NAME, ORGANIZATIONAL_UNIT_NAME, ORGANIZATION_NAME,
};
use crate::CertificateKind;

const JLIS_EN: &str = "Japan Agency for Local Authority Information Systems";
const SERVICE_JA: &str = "公的個人認証サービス";
const JLIS_JA: &str = "地方公共団体情報システム機構";

/// One attribute of a DN, in the string type J-LIS uses for it.
enum Part<'a> {
    Country,
    Organization(&'a str),
    Unit(&'a str),
    Locality(&'a str),
    Common(&'a str),
}

fn name(parts: &[Part<'_>]) -> Name {
    let rdns = parts
        .iter()
        .map(|part| {
            let (oid, value) = match part {
                Part::Country => (
                    COUNTRY_NAME,
                    Any::encode_from(&PrintableStringRef::new("JP").expect("printable")),
                ),
                Part::Organization(v) => (ORGANIZATION_NAME, utf8(v)),
                Part::Unit(v) => (ORGANIZATIONAL_UNIT_NAME, utf8(v)),
                Part::Locality(v) => (LOCALITY_NAME, utf8(v)),
                Part::Common(v) => (COMMON_NAME, utf8(v)),
            };
            let atav = AttributeTypeAndValue {
                oid,
                value: value.expect("DN strings encode"),
            };
            RelativeDistinguishedName(SetOfVec::try_from(vec![atav]).expect("one attribute"))
        })
        .collect();
    RdnSequence(rdns)
}

fn utf8(value: &str) -> der::Result<Any> {
    Any::encode_from(&Utf8StringRef::new(value)?)
}

/// `OU=JPKI for digital signature` or `OU=JPKI for user authentication`.
pub fn service_unit(kind: CertificateKind) -> &'static str {
    match kind {
        CertificateKind::Signature => "JPKI for digital signature",
        CertificateKind::Authentication => "JPKI for user authentication",
    }
}

/// The CA's DN, shared by all its generations:
/// `C=JP, O=JPKI, OU=JPKI for …, OU=Japan Agency for Local Authority Information Systems`.
pub fn ca_name(kind: CertificateKind) -> Name {
    name(&[
        Part::Country,
        Part::Organization("JPKI"),
        Part::Unit(service_unit(kind)),
        Part::Unit(JLIS_EN),
    ])
}

/// The Japanese DN in every end-entity certificate's IssuerAltName:
/// `C=JP, O=公的個人認証サービス, OU=公的個人認証サービス{署名用|利用者証明用}, OU=地方公共団体情報システム機構`.
pub fn issuer_alt_dir_name(kind: CertificateKind) -> Name {
    let unit = match kind {
        CertificateKind::Signature => "公的個人認証サービス署名用",
        CertificateKind::Authentication => "公的個人認証サービス利用者証明用",
    };
    name(&[
        Part::Country,
        Part::Organization(SERVICE_JA),
        Part::Unit(unit),
        Part::Unit(JLIS_JA),
    ])
}

/// The Japanese DN in a CA certificate's subjectAltName: `C=JP, O=公的個人認証サービス`.
pub fn ca_alt_dir_name() -> Name {
    name(&[Part::Country, Part::Organization(SERVICE_JA)])
}

/// Authentication certificate subject: `C=JP, CN=<identifier>`.
pub fn authentication_subject(identifier: &str) -> Name {
    name(&[Part::Country, Part::Common(identifier)])
}

/// Signature certificate subject: `C=JP, L=<prefecture>, L=<municipality>, CN=<identifier>`.
pub fn signature_subject(prefecture: &str, municipality: &str, identifier: &str) -> Name {
    name(&[
        Part::Country,
        Part::Locality(prefecture),
        Part::Locality(municipality),
        Part::Common(identifier),
    ])
}

/// The per-municipality CRL distribution point, a directory name:
/// `C=JP, O=JPKI, OU=JPKI for …, OU=CRL Distribution Points, OU=<prefecture>, CN=<municipality> CRLDP`.
pub fn crl_distribution_point(kind: CertificateKind, prefecture: &str, municipality: &str) -> Name {
    let cn = format!("{municipality} CRLDP");
    name(&[
        Part::Country,
        Part::Organization("JPKI"),
        Part::Unit(service_unit(kind)),
        Part::Unit("CRL Distribution Points"),
        Part::Unit(prefecture),
        Part::Common(&cn),
    ])
}

/// The string value of the first attribute of type `oid` in `name`, if it is a string.
pub fn attribute(name: &Name, oid: const_oid::ObjectIdentifier) -> Option<String> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|a| a.oid == oid)
        .and_then(|a| any_string(&a.value))
}

/// All string values of attributes of type `oid`, in order.
pub fn attributes(name: &Name, oid: const_oid::ObjectIdentifier) -> Vec<String> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .filter(|a| a.oid == oid)
        .filter_map(|a| any_string(&a.value))
        .collect()
}

fn any_string(value: &Any) -> Option<String> {
    match value.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String => {
            std::str::from_utf8(value.value()).ok().map(str::to_owned)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Encode;

    #[test]
    fn ca_name_prints_like_the_real_root() {
        assert_eq!(
            ca_name(CertificateKind::Authentication).to_string(),
            "OU=Japan Agency for Local Authority Information Systems,OU=JPKI for user authentication,O=JPKI,C=JP"
        );
        // countryName is a PrintableString (tag 0x13), the rest UTF8String (0x0C).
        let der = ca_name(CertificateKind::Signature).to_der().unwrap();
        assert!(der
            .windows(9)
            .any(|w| w == [0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02, b'J', b'P']));
        assert!(
            !der.windows(2).any(|w| w == [0x13, 0x04]),
            "O=JPKI must be UTF8String"
        );
    }
}
