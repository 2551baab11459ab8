//! RFC 3161 timestamps of a chain head.
//!
//! What is stamped: the message imprint is SHA-256 of the head's 32 bytes (the raw hash of the
//! anchored record, not its hex text), so `openssl ts -verify -data HEAD.bin` checks a token
//! where HEAD.bin holds those 32 bytes. The request asks for the TSA's certificate in the token
//! (`certReq`) and carries a random 64-bit nonce.
//!
//! tagwatch checks that the answer is granted, that its token is over our imprint with SHA-256
//! and that it echoes our nonce; it keeps the token (a CMS SignedData, DER) and reads its time.
//! It does not check the TSA's signature: which authorities to trust is for whoever relies on
//! the token, with `openssl ts -verify` and the TSA's certificates.
//!
//! The DER is written and read here, by hand, for the few fields needed: the crates for it
//! (x509-tsp 0.1 over cms, cmpv2, x509-cert) are a large tree for a request of 60 bytes. The
//! reader checks every length against what is left, so hostile bytes give an error, never a
//! panic.

use std::time::Duration;

use crate::i18n::{Lang, Localised, Message};
use chrono::{DateTime, NaiveDateTime, Utc};
use sha2::{Digest, Sha256};

/// A TSA that does not answer within this is given up on.
const TIMEOUT: Duration = Duration::from_secs(30);
/// Real replies are a few KiB; anything beyond this is not one.
const MAX_REPLY: u64 = 256 * 1024;

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const INTEGER: u8 = 0x02;
const BOOLEAN: u8 = 0x01;
const OCTET_STRING: u8 = 0x04;
const NULL: u8 = 0x05;
const OID: u8 = 0x06;
const UTF8_STRING: u8 = 0x0C;
const GENERALIZED_TIME: u8 = 0x18;
/// `[0]`, constructed.
const CONTEXT_0: u8 = 0xA0;

/// 2.16.840.1.101.3.4.2.1
const OID_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
/// 1.2.840.113549.1.7.2
const OID_SIGNED_DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02];
/// 1.2.840.113549.1.9.16.1.4
const OID_TST_INFO: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x10, 0x01, 0x04];

/// A timestamp token as the TSA gave it, and the time it states.
#[derive(Clone, Debug)]
pub struct Stamp {
    pub token: Vec<u8>,
    pub time: DateTime<Utc>,
}

/// What went wrong getting or reading a timestamp.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.text(Lang::En))]
pub enum TsaError {
    /// The HTTP client's own words, as they are.
    Http(String),
    Status(u16),
    /// The authority's own status text, as it is (`: text` per line).
    Refused {
        status: u8,
        text: String,
    },
    /// Which part of the DER structure is wrong, in the RFCs' own (English) terms.
    Malformed(&'static str),
    Imprint,
    Nonce,
}

impl Localised for TsaError {
    fn text(&self, lang: Lang) -> String {
        match self {
            TsaError::Http(detail) => Message::new("tsa-unreachable").with("detail", detail),
            TsaError::Status(status) => Message::new("tsa-status").with("status", status),
            TsaError::Refused { status, text } => Message::new("tsa-refused")
                .with("status", status)
                .with("text", text),
            TsaError::Malformed(detail) => Message::new("tsa-malformed").with("detail", detail),
            TsaError::Imprint => Message::new("tsa-imprint"),
            TsaError::Nonce => Message::new("tsa-nonce"),
        }
        .text(lang)
    }
}

/// The message imprint of a head: SHA-256 of its 32 bytes.
pub fn imprint(head: &[u8; 32]) -> [u8; 32] {
    Sha256::digest(head).into()
}

/// Asks the TSA at `url` for a token over `head`, and checks the answer.
pub fn stamp(url: &str, head: &[u8; 32]) -> Result<Stamp, TsaError> {
    let imprint = imprint(head);
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(|e| TsaError::Http(format!("no random nonce: {e}")))?;
    let query = request(&imprint, &nonce);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .post(url)
        .header("Content-Type", "application/timestamp-query")
        .send(&query[..])
        .map_err(|e| TsaError::Http(e.to_string()))?;
    if response.status() != 200 {
        return Err(TsaError::Status(response.status().as_u16()));
    }
    let reply = response
        .body_mut()
        .with_config()
        .limit(MAX_REPLY)
        .read_to_vec()
        .map_err(|e| TsaError::Http(e.to_string()))?;
    let token = token_of(&reply)?;
    let info = read_token(token)?;
    if info.imprint != imprint {
        return Err(TsaError::Imprint);
    }
    if info.nonce != Some(integer(&nonce)) {
        return Err(TsaError::Nonce);
    }
    Ok(Stamp {
        token: token.to_vec(),
        time: info.time,
    })
}

/// Checks a kept token (base64 DER) against the head it was for; returns its time.
pub fn check_stored(token_base64: &str, head: &[u8; 32]) -> Result<DateTime<Utc>, TsaError> {
    use base64::Engine;
    let token = base64::engine::general_purpose::STANDARD
        .decode(token_base64)
        .map_err(|_| TsaError::Malformed("the kept token is not base64"))?;
    let info = read_token(&token)?;
    if info.imprint != imprint(head) {
        return Err(TsaError::Imprint);
    }
    Ok(info.time)
}

/// `TimeStampReq` (RFC 3161 section 2.4.1): version 1, the SHA-256 imprint, the nonce, and
/// certReq so that the token carries the TSA's certificate.
pub fn request(imprint: &[u8; 32], nonce: &[u8]) -> Vec<u8> {
    let algorithm = tlv(SEQUENCE, &[tlv(OID, OID_SHA256), tlv(NULL, &[])].concat());
    let message_imprint = tlv(SEQUENCE, &[algorithm, tlv(OCTET_STRING, imprint)].concat());
    tlv(
        SEQUENCE,
        &[
            tlv(INTEGER, &[1]),
            message_imprint,
            tlv(INTEGER, &integer(nonce)),
            tlv(BOOLEAN, &[0xFF]),
        ]
        .concat(),
    )
}

/// The content octets of a DER INTEGER holding the unsigned big-endian `bytes`.
fn integer(bytes: &[u8]) -> Vec<u8> {
    let start = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    let mut out = Vec::with_capacity(bytes.len() + 1);
    if bytes.get(start).is_some_and(|&b| b & 0x80 != 0) {
        out.push(0);
    }
    out.extend_from_slice(&bytes[start..]);
    out
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// Definite-length DER elements one after another; every length is checked against the rest.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    /// The next element: its tag, its content and its whole encoding.
    fn next(&mut self) -> Result<(u8, &'a [u8], &'a [u8]), TsaError> {
        let bad = TsaError::Malformed;
        let all = self.0;
        let (&tag, rest) = all.split_first().ok_or(bad("it ends early"))?;
        if tag & 0x1F == 0x1F {
            return Err(bad("a tag number beyond 30"));
        }
        let (&first, mut rest) = rest.split_first().ok_or(bad("it ends early"))?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7F);
            if n == 0 || n > 4 || rest.len() < n {
                return Err(bad("a length that is indefinite or too large"));
            }
            let len = rest[..n].iter().fold(0usize, |l, &b| (l << 8) | usize::from(b));
            rest = &rest[n..];
            len
        };
        if rest.len() < len {
            return Err(bad("an element longer than what is left"));
        }
        let (content, after) = rest.split_at(len);
        self.0 = after;
        Ok((tag, content, &all[..all.len() - after.len()]))
    }

    /// The content of the next element, which must have `tag`.
    fn expect(&mut self, tag: u8, what: &'static str) -> Result<&'a [u8], TsaError> {
        match self.next()? {
            (t, content, _) if t == tag => Ok(content),
            _ => Err(TsaError::Malformed(what)),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.0.first().copied()
    }
}

/// The token of a granted `TimeStampResp`; a refusal says the TSA's status and text.
fn token_of(reply: &[u8]) -> Result<&[u8], TsaError> {
    let mut outer = Reader(reply);
    let mut resp = Reader(outer.expect(SEQUENCE, "TimeStampResp is not a SEQUENCE")?);
    let mut status_info = Reader(resp.expect(SEQUENCE, "no PKIStatusInfo")?);
    let status = match status_info.expect(INTEGER, "no PKIStatus")? {
        [s] => *s,
        _ => return Err(TsaError::Malformed("PKIStatus out of range")),
    };
    // 0 granted, 1 granted with modifications; the rest are refusals.
    if status > 1 {
        let mut text = String::new();
        if status_info.peek() == Some(SEQUENCE) {
            let mut free = Reader(status_info.expect(SEQUENCE, "bad statusString")?);
            while let Ok(line) = free.expect(UTF8_STRING, "bad statusString") {
                text.push_str(": ");
                text.push_str(&crate::present::neutralise(&String::from_utf8_lossy(line)));
            }
        }
        return Err(TsaError::Refused { status, text });
    }
    match resp.next() {
        Ok((SEQUENCE, _, token)) => Ok(token),
        _ => Err(TsaError::Malformed("granted without a token")),
    }
}

/// What tagwatch reads from a token's `TSTInfo`.
struct TokenInfo {
    imprint: Vec<u8>,
    nonce: Option<Vec<u8>>,
    time: DateTime<Utc>,
}

/// Reads the `TSTInfo` inside a token (ContentInfo > SignedData > EncapsulatedContentInfo).
fn read_token(token: &[u8]) -> Result<TokenInfo, TsaError> {
    let bad = TsaError::Malformed;
    let mut content_info = Reader(Reader(token).expect(SEQUENCE, "the token is not a SEQUENCE")?);
    if content_info.expect(OID, "no content type")? != OID_SIGNED_DATA {
        return Err(bad("the token is not CMS SignedData"));
    }
    let mut explicit = Reader(content_info.expect(CONTEXT_0, "no SignedData")?);
    let mut signed = Reader(explicit.expect(SEQUENCE, "SignedData is not a SEQUENCE")?);
    signed.expect(INTEGER, "no SignedData version")?;
    signed.expect(SET, "no digestAlgorithms")?;
    let mut encap = Reader(signed.expect(SEQUENCE, "no encapContentInfo")?);
    if encap.expect(OID, "no eContentType")? != OID_TST_INFO {
        return Err(bad("the token does not hold a TSTInfo"));
    }
    let mut e_content = Reader(encap.expect(CONTEXT_0, "no eContent")?);
    let tst = e_content.expect(OCTET_STRING, "eContent is not an OCTET STRING")?;

    let mut info = Reader(Reader(tst).expect(SEQUENCE, "TSTInfo is not a SEQUENCE")?);
    info.expect(INTEGER, "no TSTInfo version")?;
    info.expect(OID, "no policy")?;
    let mut message_imprint = Reader(info.expect(SEQUENCE, "no messageImprint")?);
    let mut algorithm = Reader(message_imprint.expect(SEQUENCE, "no hashAlgorithm")?);
    if algorithm.expect(OID, "no hash algorithm")? != OID_SHA256 {
        return Err(TsaError::Imprint);
    }
    let imprint = message_imprint.expect(OCTET_STRING, "no hashedMessage")?.to_vec();
    info.expect(INTEGER, "no serialNumber")?;
    let time = generalized_time(info.expect(GENERALIZED_TIME, "no genTime")?)?;
    // Then accuracy (SEQUENCE), ordering (BOOLEAN), nonce (INTEGER), tsa [0], extensions [1].
    let mut nonce = None;
    while info.peek().is_some() {
        if let (INTEGER, content, _) = info.next()? {
            nonce = Some(content.to_vec());
        }
    }
    Ok(TokenInfo { imprint, nonce, time })
}

/// `YYYYMMDDHHMMSS[.fff]Z` (RFC 3161 asks for UTC and no more).
fn generalized_time(bytes: &[u8]) -> Result<DateTime<Utc>, TsaError> {
    let bad = TsaError::Malformed("genTime is not a UTC GeneralizedTime");
    let text = std::str::from_utf8(bytes).map_err(|_| TsaError::Malformed("genTime is not text"))?;
    let seconds = text
        .strip_suffix('Z')
        .and_then(|t| t.get(..14))
        .ok_or(TsaError::Malformed("genTime is not a UTC GeneralizedTime"))?;
    NaiveDateTime::parse_from_str(seconds, "%Y%m%d%H%M%S")
        .map(|t| t.and_utc())
        .map_err(|_| bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_is_the_der_openssl_writes() {
        // `openssl ts -query -digest 1111...11 -sha256 -cert -no_nonce`, byte for byte, with
        // our nonce 0x8000000000000001 (a leading 0 keeps it positive) before certReq.
        let openssl = hex::decode(
            "30390201013031300d060960864801650304020105000420\
             1111111111111111111111111111111111111111111111111111111111111111\
             0101ff",
        )
        .unwrap();
        let nonce = [0x02, 0x09, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 1];
        let mut expected = openssl.clone();
        expected[1] += nonce.len() as u8;
        expected.splice(openssl.len() - 3..openssl.len() - 3, nonce);
        assert_eq!(request(&[0x11; 32], &[0x80, 0, 0, 0, 0, 0, 0, 1]), expected);
    }

    #[test]
    fn integers_are_minimal_and_positive() {
        assert_eq!(integer(&[0, 0, 5]), vec![5]);
        assert_eq!(integer(&[0, 0x80]), vec![0, 0x80]);
        assert_eq!(integer(&[0, 0]), vec![0]);
    }

    #[test]
    fn long_lengths() {
        let long = tlv(OCTET_STRING, &[7; 300]);
        assert_eq!(&long[..4], &[0x04, 0x82, 0x01, 0x2C]);
        let mut r = Reader(&long);
        assert_eq!(r.expect(OCTET_STRING, "x").unwrap().len(), 300);
        assert!(r.peek().is_none());
    }

    #[test]
    fn refusal_is_read_with_its_text() {
        let status = tlv(
            SEQUENCE,
            &[
                tlv(INTEGER, &[2]),
                tlv(SEQUENCE, &tlv(UTF8_STRING, b"bad\x1b[2Jalg")),
            ]
            .concat(),
        );
        let reply = tlv(SEQUENCE, &status);
        match token_of(&reply) {
            Err(TsaError::Refused { status: 2, text }) => {
                assert!(text.starts_with(": bad") && !text.contains('\x1b'), "{text}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn times() {
        let t = generalized_time(b"20261129214002.123Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-29T21:40:02+00:00");
        assert!(generalized_time(b"20261129214002").is_err());
        assert!(generalized_time(b"2026Z").is_err());
        assert!(generalized_time(b"2026112921400\xffZ").is_err());
    }

    /// A token shaped as a TSA makes it (unsigned: tagwatch does not check signatures).
    fn token(imprint: &[u8], nonce: &[u8]) -> Vec<u8> {
        let algorithm = tlv(SEQUENCE, &[tlv(OID, OID_SHA256), tlv(NULL, &[])].concat());
        let tst = tlv(
            SEQUENCE,
            &[
                tlv(INTEGER, &[1]),
                tlv(OID, &[0x2A, 0x03, 0x04]),
                tlv(SEQUENCE, &[algorithm, tlv(OCTET_STRING, imprint)].concat()),
                tlv(INTEGER, &[7]),
                tlv(GENERALIZED_TIME, b"20261129214002Z"),
                // accuracy, holding an INTEGER that is not the nonce
                tlv(SEQUENCE, &tlv(INTEGER, &[1])),
                tlv(INTEGER, nonce),
            ]
            .concat(),
        );
        let encap = tlv(
            SEQUENCE,
            &[tlv(OID, OID_TST_INFO), tlv(CONTEXT_0, &tlv(OCTET_STRING, &tst))].concat(),
        );
        let signed = tlv(
            SEQUENCE,
            &[tlv(INTEGER, &[3]), tlv(SET, &[]), encap, tlv(SET, &[])].concat(),
        );
        tlv(
            SEQUENCE,
            &[tlv(OID, OID_SIGNED_DATA), tlv(CONTEXT_0, &signed)].concat(),
        )
    }

    fn granted(token: &[u8]) -> Vec<u8> {
        tlv(
            SEQUENCE,
            &[tlv(SEQUENCE, &tlv(INTEGER, &[0])), token.to_vec()].concat(),
        )
    }

    #[test]
    fn token_fields_are_read() {
        let head = [9u8; 32];
        let t = token(&imprint(&head), &[0x42]);
        assert_eq!(token_of(&granted(&t)).unwrap(), &t[..]);
        let info = read_token(&t).unwrap();
        assert_eq!(info.imprint, imprint(&head));
        assert_eq!(info.nonce, Some(vec![0x42]));
        assert_eq!(info.time.to_rfc3339(), "2026-11-29T21:40:02+00:00");
        use base64::Engine;
        let kept = base64::engine::general_purpose::STANDARD.encode(&t);
        assert!(check_stored(&kept, &head).is_ok());
        assert!(matches!(check_stored(&kept, &[0; 32]), Err(TsaError::Imprint)));
    }

    proptest::proptest! {
        /// Hostile replies and tokens give errors, never panics: random bytes, and a real
        /// shape with one byte changed and cut anywhere.
        #[test]
        fn hostile_bytes_never_panic(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400),
            at in 0usize..400,
            value in proptest::num::u8::ANY,
            cut in 0usize..400,
        ) {
            let _ = token_of(&bytes);
            let _ = read_token(&bytes);
            let mut reply = granted(&token(&[5; 32], &[1, 2]));
            let i = at % reply.len();
            reply[i] = value;
            reply.truncate(cut.max(1));
            if let Ok(t) = token_of(&reply) {
                let _ = read_token(t);
            }
        }
    }
}
