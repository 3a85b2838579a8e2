//! A switchable TCP front for a fake provider, for outage tests. While open it relays every
//! connection to the fake; while closed its listening socket is gone, so connecting is refused
//! (as with a provider or gateway that is down), and connections that were open are cut.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

pub struct Gate {
    addr: SocketAddr,
    upstream: SocketAddr,
    /// Cancelled to close; `None` while closed.
    open: Mutex<Option<CancellationToken>>,
}

impl Gate {
    /// An open gate on a free 127.0.0.1 port in front of `upstream` (`http://127.0.0.1:port`).
    pub async fn start(upstream: &str) -> Arc<Gate> {
        let upstream: SocketAddr = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .expect("upstream is http://127.0.0.1:port");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind gate");
        let gate = Arc::new(Gate {
            addr: listener.local_addr().expect("gate addr"),
            upstream,
            open: Mutex::new(None),
        });
        gate.serve(listener);
        gate
    }

    /// The URL to give the app instead of the fake's.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn serve(&self, listener: TcpListener) {
        let token = CancellationToken::new();
        *self.open.lock().unwrap_or_else(PoisonError::into_inner) = Some(token.clone());
        let upstream = self.upstream;
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    _ = token.cancelled() => break,
                    a = listener.accept() => a,
                };
                let Ok((mut client, _)) = accepted else { continue };
                let token = token.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = token.cancelled() => {}
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                    }
                });
            }
            // The listener drops here: from now on connecting is refused.
        });
    }

    /// Refuse connections (and cut open ones) until [`Gate::open`].
    pub async fn close(&self) {
        let token = self.open.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(t) = token {
            t.cancel();
        }
        // Wait until the port really refuses.
        for _ in 0..500 {
            if let Err(e) = TcpStream::connect(self.addr).await
                && e.kind() == std::io::ErrorKind::ConnectionRefused
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        panic!("gate {} still accepts connections after closing", self.addr);
    }

    /// Accept and relay again, on the same port.
    pub async fn open(&self) {
        if self.open.lock().unwrap_or_else(PoisonError::into_inner).is_some() {
            return;
        }
        // SO_REUSEADDR (tokio sets it) lets the port be bound again at once.
        let mut last = None;
        for _ in 0..100 {
            match TcpListener::bind(self.addr).await {
                Ok(listener) => return self.serve(listener),
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("cannot reopen gate on {}: {last:?}", self.addr);
    }
}
