//! A wake-up call for delivery workers: whoever queues a message pokes it, so a worker
//! sleeping between polls sends at once. Missed pokes are not lost: a worker that was busy
//! sees that something changed the next time it waits.

use tokio::sync::watch;

#[derive(Debug, Clone)]
pub struct OutboxSignal(std::sync::Arc<watch::Sender<u64>>);

impl Default for OutboxSignal {
    fn default() -> Self {
        Self(std::sync::Arc::new(watch::channel(0).0))
    }
}

impl OutboxSignal {
    pub fn new() -> Self {
        Self::default()
    }

    /// Something was queued.
    pub fn notify(&self) {
        self.0.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.0.subscribe()
    }
}
