//! AWS Signature Version 4 for S3 requests, by `aws-sigv4` (AWS's own signer, sync, no HTTP
//! client): every request signed in its headers, the payload `UNSIGNED-PAYLOAD`.
//!
//! `UNSIGNED-PAYLOAD` lets a 20 MB entry go from its encoded buffer to the socket without a
//! SHA-256 pass over it; the entry's own xxh3 trailer (and `Signed`, where entries must be
//! authentic) checks the bytes, as S3 over TLS relies on TLS.

use std::fmt;
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;

/// A signing failure (a URI or header the signer cannot read).
#[derive(Debug)]
pub(crate) struct SignError(String);

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot sign the request: {}", self.0)
    }
}

impl std::error::Error for SignError {}

/// Keys that sign requests for one region.
#[derive(Clone)]
pub(crate) struct Signer {
    credentials: Credentials,
    region: String,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("access_key_id", &self.credentials.access_key_id())
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl Signer {
    pub(crate) fn new(
        access_key: String,
        secret_key: String,
        session_token: Option<String>,
        region: String,
    ) -> Self {
        Signer {
            credentials: Credentials::new(access_key, secret_key, session_token, None, "bccache"),
            region,
        }
    }

    /// The headers that sign `method` of `uri` (`http://host[:port]/path?query`, encoded as
    /// sent) with `headers` (which are signed too).
    pub(crate) fn sign(
        &self,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
    ) -> Result<Vec<(String, String)>, SignError> {
        let identity = self.credentials.clone().into();
        let mut settings = SigningSettings::default();
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("s3")
            .time(SystemTime::now())
            .settings(settings)
            .build()
            .map_err(|error| SignError(error.to_string()))?
            .into();
        let request = SignableRequest::new(
            method,
            uri,
            headers.iter().copied(),
            SignableBody::UnsignedPayload,
        )
        .map_err(|error| SignError(error.to_string()))?;
        let (instructions, _) = sign(request, &params)
            .map_err(|error| SignError(error.to_string()))?
            .into_parts();
        Ok(instructions
            .headers()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect())
    }
}
