//! Sends a request's head and body in one write.
//!
//! ureq transmits the header block and the body separately, so a small POST
//! leaves as two TLS records in two TCP segments and the server wakes twice
//! per notification. This transport holds a transmitted header block back
//! until the body follows (or until the response is awaited), then hands
//! both to the TLS layer at once. It relies on ureq's `unversioned`
//! transport API; Cargo.lock pins the version it was written against.

use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};
use ureq::Error;

#[derive(Debug, Default)]
pub struct CoalescingConnector;

impl Connector<Box<dyn Transport>> for CoalescingConnector {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        _details: &ConnectionDetails,
        chained: Option<Box<dyn Transport>>,
    ) -> Result<Option<Self::Out>, Error> {
        Ok(chained.map(|inner| Box::new(Coalescing { inner, held: Vec::new() }) as Box<dyn Transport>))
    }
}

#[derive(Debug)]
struct Coalescing {
    inner: Box<dyn Transport>,
    /// Output transmitted by ureq but not yet sent.
    held: Vec<u8>,
}

impl Coalescing {
    fn flush_held(&mut self, timeout: NextTimeout) -> Result<(), Error> {
        if self.held.is_empty() {
            return Ok(());
        }
        let held = std::mem::take(&mut self.held);
        let out = self.inner.buffers().output();
        if held.len() > out.len() {
            return Err(Error::Io(std::io::Error::other("request head larger than the output buffer")));
        }
        out[..held.len()].copy_from_slice(&held);
        self.inner.transmit_output(held.len(), timeout)
    }
}

impl Transport for Coalescing {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        let out = self.inner.buffers().output();
        let ends_head = out[..amount].ends_with(b"\r\n\r\n");
        if self.held.is_empty() && ends_head {
            // A header block: keep it until the body (or the wait for the answer).
            self.held.extend_from_slice(&out[..amount]);
            return Ok(());
        }
        if self.held.is_empty() {
            return self.inner.transmit_output(amount, timeout);
        }
        // Head + body in one contiguous write, when they fit the buffer.
        let head = self.held.len();
        if head + amount <= out.len() {
            out.copy_within(..amount, head);
            out[..head].copy_from_slice(&self.held);
            self.held.clear();
            return self.inner.transmit_output(head + amount, timeout);
        }
        self.flush_held(timeout)?;
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.flush_held(timeout)?;
        self.inner.await_input(timeout)
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.flush_held(timeout)?;
        self.inner.maybe_await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}
