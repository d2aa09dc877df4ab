//! Serving with limits against slow and abusive clients. `axum::serve` has none, so a
//! thousand clients each sending half a request would hold the server for as long as they
//! like. [`serve`] is `axum::serve` with three, each a setting:
//!
//! | Variable          | Default | Meaning                                                   |
//! |-------------------|---------|-----------------------------------------------------------|
//! | `HEADER_TIMEOUT`  | `10`    | seconds to send a request's head, from when the connection opens or the previous response ends: also the idle keep-alive limit |
//! | `REQUEST_TIMEOUT` | `30`    | seconds a request may take, its body included; then 408   |
//! | `MAX_CONNECTIONS` | `1024`  | connections served at once; more wait in the kernel's queue until one closes |
//!
//! Each request also carries the client's address (`ConnectInfo<SocketAddr>`), which the
//! login rate limit counts by.

use std::future::Future;
use std::io;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::config::ConfigError;

/// How long the requests in flight may take to finish once the shutdown signal arrives.
const GRACE: Duration = Duration::from_secs(30);

/// How long to wait before accepting again after accepting failed (say, out of file
/// descriptors): the failure is the system's, and retrying at once would spin.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// The longest `HEADER_TIMEOUT` and `REQUEST_TIMEOUT`, in seconds (a day): beyond it a
/// deadline could overflow the clock.
const MAX_TIMEOUT_SECS: u64 = 24 * 60 * 60;

/// The most `MAX_CONNECTIONS` (far above what one process can hold open).
const MOST_CONNECTIONS: u64 = 1_000_000;

/// What a client may take: the three settings above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `HEADER_TIMEOUT`: how long a client has to send a request's head.
    pub header: Duration,
    /// `REQUEST_TIMEOUT`: how long a request may take, its body included.
    pub request: Duration,
    /// `MAX_CONNECTIONS`: how many connections are served at once.
    pub connections: usize,
}

impl Limits {
    /// Reads the settings through `value` (the configuration's lookup): whole numbers from
    /// 1, their defaults when unset.
    pub fn read(value: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let number = |name: &str, default: u64, max: u64| match value(name) {
            None => Ok(default),
            Some(text) => text
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|number| (1..=max).contains(number))
                .ok_or_else(|| {
                    ConfigError::new(format!(
                        "{name}={text} is not a whole number from 1 to {max}"
                    ))
                }),
        };
        let connections = number("MAX_CONNECTIONS", 1024, MOST_CONNECTIONS)?;
        Ok(Self {
            header: Duration::from_secs(number("HEADER_TIMEOUT", 10, MAX_TIMEOUT_SECS)?),
            request: Duration::from_secs(number("REQUEST_TIMEOUT", 30, MAX_TIMEOUT_SECS)?),
            connections: usize::try_from(connections)
                .map_err(|_| ConfigError::new("MAX_CONNECTIONS is too large for this machine"))?,
        })
    }
}

/// `axum::serve(listener, app)` with `limits`: serves once given its shutdown signal,
/// `serve(…).with_graceful_shutdown(signal).await`.
pub fn serve(listener: TcpListener, app: Router, limits: Limits) -> Serve {
    Serve {
        listener,
        app,
        limits,
    }
}

/// A server waiting for its shutdown signal (see [`serve`]).
#[must_use = "nothing is served until `.with_graceful_shutdown(signal)` is awaited"]
pub struct Serve {
    listener: TcpListener,
    app: Router,
    limits: Limits,
}

impl Serve {
    /// Serves until `signal` resolves, then lets the requests in flight finish (for
    /// 30 s at most) and returns.
    pub async fn with_graceful_shutdown(self, signal: impl Future<Output = ()>) -> io::Result<()> {
        let Self {
            listener,
            app,
            limits,
        } = self;
        let mut http = http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(limits.header);
        let connections = Arc::new(Semaphore::new(limits.connections));
        let graceful = GracefulShutdown::new();
        let mut signal = pin!(signal);
        loop {
            let permit = tokio::select! {
                permit = Arc::clone(&connections).acquire_owned() => permit.map_err(io::Error::other)?,
                () = &mut signal => break,
            };
            let (stream, address) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        tracing::warn!(%err, "cannot accept a connection");
                        tokio::time::sleep(ACCEPT_PAUSE).await;
                        continue;
                    }
                },
                () = &mut signal => break,
            };
            let app = app.clone();
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let mut request = request.map(Body::new);
                request.extensions_mut().insert(ConnectInfo(address));
                app.clone().oneshot(request)
            });
            let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
            tokio::spawn(async move {
                if let Err(err) = connection.await {
                    tracing::debug!(%err, %address, "connection ended with an error");
                }
                drop(permit);
            });
        }
        tokio::select! {
            () = graceful.shutdown() => {}
            () = tokio::time::sleep(GRACE) => {
                tracing::warn!("requests still running after {} s were cut off", GRACE.as_secs());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpStream};

    use axum::routing::get;

    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<Limits, String> {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        Limits::read(|key| map.get(key).map(|value| (*value).to_owned()))
            .map_err(|err| err.to_string())
    }

    #[test]
    fn settings_have_defaults_and_bounds() {
        let limits = read(&[]).expect("defaults");
        assert_eq!(limits.header, Duration::from_secs(10));
        assert_eq!(limits.request, Duration::from_secs(30));
        assert_eq!(limits.connections, 1024);
        let set = read(&[("HEADER_TIMEOUT", " 2 "), ("MAX_CONNECTIONS", "20")]).expect("valid");
        assert_eq!((set.header, set.connections), (Duration::from_secs(2), 20));
        let refused = |pairs: &[(&str, &str)]| read(pairs).expect_err("refused");
        assert!(refused(&[("HEADER_TIMEOUT", "0")]).contains("HEADER_TIMEOUT=0"));
        let forever = u64::MAX.to_string();
        assert!(refused(&[("REQUEST_TIMEOUT", &forever)]).contains("from 1 to 86400"));
        assert!(refused(&[("MAX_CONNECTIONS", "-1")]).contains("MAX_CONNECTIONS=-1"));
    }

    /// Sends `request` to `port` on a blocking socket and returns what came back before
    /// the server closed the connection.
    async fn exchange(port: u16, request: &'static [u8]) -> String {
        tokio::task::spawn_blocking(move || {
            let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .expect("timeout");
            stream.write_all(request).expect("send");
            let mut answer = String::new();
            stream
                .read_to_string(&mut answer)
                .expect("closed by the server in time");
            answer
        })
        .await
        .expect("client thread")
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_half_sent_head_is_cut_off_and_requests_know_their_client() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let app =
            Router::new().route(
                "/",
                get(|ConnectInfo(client): ConnectInfo<SocketAddr>| async move {
                    client.ip().to_string()
                }),
            );
        let limits = Limits {
            header: Duration::from_millis(200),
            request: Duration::from_secs(1),
            connections: 4,
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, app, limits).with_graceful_shutdown(async {
            stopped.await.ok();
        }));

        let slow = exchange(port, b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ").await;
        assert!(!slow.contains("200 OK"), "{slow}");
        let served = exchange(
            port,
            b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(served.starts_with("HTTP/1.1 200"), "{served}");
        assert!(served.ends_with("127.0.0.1"), "{served}");

        stop.send(()).expect("server running");
        server.await.expect("server task").expect("served");
    }
}
