//! A real card in a PC/SC reader (feature `pcsc`, on the `pcsc` crate).

use pcsc::{Context, Protocols, Scope, ShareMode, MAX_BUFFER_SIZE_EXTENDED};

use crate::{Transport, TransportError};

/// A connection to the card in a PC/SC reader.
pub struct PcscTransport {
    card: pcsc::Card,
}

impl std::fmt::Debug for PcscTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PcscTransport")
    }
}

fn err(what: &str, e: pcsc::Error) -> TransportError {
    TransportError(format!("PC/SC {what}: {e}"))
}

impl PcscTransport {
    /// Connects to the card in the reader whose name contains `reader`, or in the first
    /// reader that has a card when `reader` is `None`.
    pub fn connect(reader: Option<&str>) -> Result<Self, TransportError> {
        let ctx = Context::establish(Scope::User).map_err(|e| err("context", e))?;
        let readers = ctx
            .list_readers_owned()
            .map_err(|e| err("list readers", e))?;
        if readers.is_empty() {
            return Err(TransportError("no PC/SC reader connected".into()));
        }
        let mut last = None;
        for name in &readers {
            if reader.is_some_and(|wanted| !name.to_string_lossy().contains(wanted)) {
                continue;
            }
            match ctx.connect(name, ShareMode::Shared, Protocols::ANY) {
                Ok(card) => return Ok(Self { card }),
                Err(e) => last = Some(err(&format!("connect to {}", name.to_string_lossy()), e)),
            }
        }
        Err(last.unwrap_or_else(|| {
            TransportError(format!("no reader matches {:?}", reader.unwrap_or("")))
        }))
    }
}

impl Transport for PcscTransport {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let mut buffer = vec![0u8; MAX_BUFFER_SIZE_EXTENDED];
        let response = self
            .card
            .transmit(command, &mut buffer)
            .map_err(|e| err("transmit", e))?;
        Ok(response.to_vec())
    }
}
