//! Sends a request's head and body in one write.
//!
//! ureq transmits the header block and the body separately, so a small POST
//! leaves as two TLS records in two TCP segments and the server wakes twice
//! per notification. This transport holds a transmitted header block back
//! until the body follows (or until the response is awaited), then hands
//! both to the TLS layer at once. It relies on ureq's `unversioned`
//! transport API, which may change in a minor release: core/Cargo.toml pins
//! ureq to the minor it was written against (`~3.5.2`), since Cargo.lock
//! does not bind a library's users.

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
        Ok(chained.map(|inner| {
            Box::new(Coalescing {
                inner,
                held: Vec::new(),
            }) as Box<dyn Transport>
        }))
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
            return Err(Error::Io(std::io::Error::other(
                "request head larger than the output buffer",
            )));
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
        // Too large to join: the head first, then the body, which the head
        // must not overwrite in the shared output buffer.
        let body = out[..amount].to_vec();
        self.flush_held(timeout)?;
        self.inner.buffers().output()[..amount].copy_from_slice(&body);
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

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::unversioned::transport::LazyBuffers;

    /// Records each transmitted write; answers reads with nothing.
    #[derive(Debug)]
    struct Recorder {
        buffers: LazyBuffers,
        writes: std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>,
        open: bool,
    }

    impl Transport for Recorder {
        fn buffers(&mut self) -> &mut dyn Buffers {
            &mut self.buffers
        }
        fn transmit_output(&mut self, amount: usize, _: NextTimeout) -> Result<(), Error> {
            let out = self.buffers.output()[..amount].to_vec();
            self.writes.lock().unwrap().push(out);
            Ok(())
        }
        fn await_input(&mut self, _: NextTimeout) -> Result<bool, Error> {
            Ok(false)
        }
        fn is_open(&mut self) -> bool {
            self.open
        }
    }

    type Writes = std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>;

    fn coalescing(output: usize) -> (Coalescing, Writes) {
        let writes = Writes::default();
        let inner = Recorder {
            buffers: LazyBuffers::new(64, output),
            writes: writes.clone(),
            open: true,
        };
        (
            Coalescing {
                inner: Box::new(inner),
                held: Vec::new(),
            },
            writes,
        )
    }

    /// What ureq does: fill the output buffer, then transmit that much.
    fn send(t: &mut Coalescing, bytes: &[u8]) {
        t.buffers().output()[..bytes.len()].copy_from_slice(bytes);
        t.transmit_output(bytes.len(), NextTimeout::default())
            .unwrap();
    }

    const HEAD: &[u8] = b"POST /pay HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n";

    #[test]
    fn head_and_body_leave_in_one_write() {
        let (mut t, writes) = coalescing(1024);
        send(&mut t, HEAD);
        assert!(writes.lock().unwrap().is_empty(), "the head is held back");
        send(&mut t, b"{\"a\":1}");
        assert_eq!(*writes.lock().unwrap(), vec![[HEAD, b"{\"a\":1}"].concat()]);
        // Nothing left behind to flush.
        t.await_input(NextTimeout::default()).unwrap();
        assert_eq!(writes.lock().unwrap().len(), 1);
    }

    #[test]
    fn a_head_without_body_leaves_when_the_answer_is_awaited() {
        let (mut t, writes) = coalescing(1024);
        send(&mut t, b"GET /t HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(writes.lock().unwrap().is_empty());
        t.maybe_await_input(NextTimeout::default()).unwrap();
        assert_eq!(
            *writes.lock().unwrap(),
            vec![b"GET /t HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()]
        );
        send(&mut t, b"GET /u HTTP/1.1\r\n\r\n");
        t.await_input(NextTimeout::default()).unwrap();
        assert_eq!(writes.lock().unwrap().len(), 2);
    }

    #[test]
    fn output_that_is_not_a_head_passes_straight_through() {
        let (mut t, writes) = coalescing(1024);
        send(&mut t, b"chunk of body");
        assert_eq!(*writes.lock().unwrap(), vec![b"chunk of body".to_vec()]);
    }

    #[test]
    fn a_body_too_large_to_join_goes_after_the_head() {
        let (mut t, writes) = coalescing(HEAD.len() + 4);
        send(&mut t, HEAD);
        send(&mut t, b"{\"a\":1}");
        assert_eq!(
            *writes.lock().unwrap(),
            vec![HEAD.to_vec(), b"{\"a\":1}".to_vec()]
        );
        // Exactly filling the buffer still joins.
        let (mut t, writes) = coalescing(HEAD.len() + 7);
        send(&mut t, HEAD);
        send(&mut t, b"{\"a\":1}");
        assert_eq!(writes.lock().unwrap().len(), 1);
    }

    #[test]
    fn a_head_that_fills_the_buffer_still_goes_first() {
        let (mut t, writes) = coalescing(HEAD.len());
        send(&mut t, HEAD);
        send(&mut t, b"{\"a\":1}");
        assert_eq!(
            *writes.lock().unwrap(),
            vec![HEAD.to_vec(), b"{\"a\":1}".to_vec()]
        );
    }

    #[test]
    fn state_questions_go_to_the_inner_transport() {
        let (mut t, _) = coalescing(64);
        assert!(t.is_open() && !t.is_tls());
        let writes = Writes::default();
        let inner = Recorder {
            buffers: LazyBuffers::new(64, 64),
            writes,
            open: false,
        };
        let mut closed = Coalescing {
            inner: Box::new(inner),
            held: Vec::new(),
        };
        assert!(!closed.is_open());
    }
}
