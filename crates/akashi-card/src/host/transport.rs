//! The link between host code and a card.

use crate::{CardStore, TransportError, VirtualCard};

/// Sends one command APDU and returns the response APDU (data and SW1 SW2).
pub trait Transport {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError>;
}

/// The virtual card as a transport: a direct call, no reader.
#[derive(Debug)]
pub struct VirtualTransport<S: CardStore>(pub VirtualCard<S>);

impl<S: CardStore> Transport for VirtualTransport<S> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        Ok(self.0.transmit(command))
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(command)
    }
}
