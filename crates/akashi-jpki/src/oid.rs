//! Object identifiers of the JPKI profile (J-LIS 公的個人認証サービス プロファイル仕様書).

use const_oid::ObjectIdentifier;

/// Certificate policy of the signature certificate (jpki-cp-sign-class20).
pub const POLICY_SIGNATURE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.1.1.20");
/// Certificate policy of the user-authentication certificate (jpki-cp-auth-class30).
pub const POLICY_AUTHENTICATION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.1.3.30");

/// subjectAltName otherName types of the basic four attributes (jpki-pd-*).
pub const PD_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.5.1");
pub const PD_NAME_SUBSTITUTE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.5.2");
pub const PD_SEX: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.5.3");
pub const PD_DATE_OF_BIRTH: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.5.4");
pub const PD_ADDRESS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.5.5");
pub const PD_ADDRESS_SUBSTITUTE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.5.6");

/// The CPS that both end-entity policies point to.
pub const CPS_URI: &str = "http://www.jpki.go.jp/cps.html";
/// OCSP responders named in the AIA extension of each certificate type.
pub const OCSP_URI_AUTHENTICATION: &str = "http://ocspauthnorm.jpki.go.jp";
pub const OCSP_URI_SIGNATURE: &str = "http://ocspsign.jpki.go.jp";

pub use const_oid::db::rfc4519::{
    COMMON_NAME, COUNTRY_NAME, LOCALITY_NAME, ORGANIZATIONAL_UNIT_NAME, ORGANIZATION_NAME,
};
pub use const_oid::db::rfc5280::{
    ID_AD_OCSP, ID_CE_AUTHORITY_KEY_IDENTIFIER, ID_CE_BASIC_CONSTRAINTS,
    ID_CE_CERTIFICATE_POLICIES, ID_CE_CRL_DISTRIBUTION_POINTS, ID_CE_EXT_KEY_USAGE,
    ID_CE_ISSUER_ALT_NAME, ID_CE_KEY_USAGE, ID_CE_SUBJECT_ALT_NAME, ID_CE_SUBJECT_KEY_IDENTIFIER,
    ID_KP_CLIENT_AUTH, ID_PE_AUTHORITY_INFO_ACCESS, ID_QT_CPS,
};
pub use const_oid::db::rfc5912::{RSA_ENCRYPTION, SHA_256_WITH_RSA_ENCRYPTION};
