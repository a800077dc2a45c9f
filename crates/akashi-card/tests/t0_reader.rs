//! The host client behind a T=0 reader, which answers `61xx` (fetch with GET RESPONSE) and
//! `6Cxx` (resend with the right Le) instead of returning data directly.

mod common;

use akashi_card::{
    Card, CardStore, CertificateSlot, HostError, JpkiCard, MemoryStore, Transport, TransportError,
    VirtualCard,
};
use common::*;

/// Wraps the virtual card; data-bearing answers come back in 61xx pieces of at most 100
/// bytes, and a READ BINARY with Le 4 is first refused with 6C04.
struct T0Reader<S: CardStore> {
    card: VirtualCard<S>,
    pending: Vec<u8>,
    pending_sw: [u8; 2],
    refused_le_once: bool,
    get_responses: usize,
}

impl<S: CardStore> Transport for T0Reader<S> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        if command[..4] == [0x00, 0xC0, 0x00, 0x00] {
            self.get_responses += 1;
            return Ok(self.piece());
        }
        if command[1] == 0xB0 && command.len() == 5 && command[4] == 4 && !self.refused_le_once {
            self.refused_le_once = true;
            return Ok(vec![0x6C, 0x04]);
        }
        let r = self.card.transmit(command);
        let (data, sw) = r.split_at(r.len() - 2);
        if data.is_empty() {
            return Ok(r);
        }
        self.pending = data.to_vec();
        self.pending_sw = [sw[0], sw[1]];
        Ok(vec![0x61, self.pending.len().min(100) as u8])
    }
}

impl<S: CardStore> T0Reader<S> {
    fn piece(&mut self) -> Vec<u8> {
        let n = self.pending.len().min(100);
        let mut out: Vec<u8> = self.pending.drain(..n).collect();
        if self.pending.is_empty() {
            out.extend_from_slice(&self.pending_sw);
        } else {
            out.extend_from_slice(&[0x61, self.pending.len().min(100) as u8]);
        }
        out
    }
}

#[test]
fn certificates_and_signatures_arrive_through_response_chaining() {
    let p = personalise(MemoryStore::default());
    let reader = T0Reader {
        card: p.card,
        pending: Vec::new(),
        pending_sw: [0x90, 0],
        refused_le_once: false,
        get_responses: 0,
    };
    let mut host = JpkiCard::new(reader);
    assert_eq!(
        host.read_certificate(CertificateSlot::Authentication, None)
            .unwrap(),
        fake_cert(1400, 0xA1)
    );
    let signature = host.sign(b"via T=0", SIGN_PIN).unwrap();
    akashi_crypto::verify_rsa_pkcs1(
        &p.signature_key,
        akashi_crypto::HashAlgorithm::Sha256,
        b"via T=0",
        &signature,
    )
    .unwrap();
    let reader = host.into_transport();
    assert!(reader.refused_le_once);
    assert!(reader.get_responses > 10, "{}", reader.get_responses);
}

/// A broken card that answers 61 01 forever.
struct Endless;

impl Transport for Endless {
    fn transmit(&mut self, _: &[u8]) -> Result<Vec<u8>, TransportError> {
        Ok(vec![0x00, 0x61, 0x01])
    }
}

#[test]
fn endless_chaining_is_an_error_not_a_hang() {
    let err = JpkiCard::new(Endless).pin_status().unwrap_err();
    assert!(matches!(err, HostError::MalformedResponse { .. }), "{err}");
}
