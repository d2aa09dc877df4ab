//! A real SMTP server for the end-to-end suite: aiosmtpd (PyPI), storing what it
//! receives in a maildir, so a test reads the messages a generated app sent.

// Test support: a failed expectation is a failed test.
#![allow(clippy::expect_used)]

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// aiosmtpd listening on 127.0.0.1, stopped when dropped.
pub(crate) struct SmtpServer {
    child: Child,
    pub(crate) port: u16,
    maildir: tempfile::TempDir,
}

impl SmtpServer {
    /// Starts `python3 -m aiosmtpd` with its mailbox handler (`.ci/run` installs it).
    pub(crate) fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        Self::start_on(port)
    }

    /// [`SmtpServer::start`] on `port`, which an app may already be sending to.
    pub(crate) fn start_on(port: u16) -> Self {
        let maildir = tempfile::tempdir().expect("maildir");
        for folder in ["tmp", "new", "cur"] {
            std::fs::create_dir(maildir.path().join(folder)).expect("maildir folder");
        }
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 -m aiosmtpd starts (pip install aiosmtpd)");
        let server = Self {
            child,
            port,
            maildir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not listen on {port} within 20 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    /// `MAIL_URL` for an app sending here (plain SMTP: a relay on this machine).
    pub(crate) fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, as its raw text, in no particular order.
    pub(crate) fn messages(&self) -> Vec<String> {
        let new: PathBuf = self.maildir.path().join("new");
        std::fs::read_dir(new)
            .expect("the maildir")
            .map(|entry| std::fs::read_to_string(entry.expect("entry").path()).expect("a message"))
            .collect()
    }

    /// The messages to `to`, waiting up to thirty seconds for `count` of them: an app
    /// sends after its response, through its job queue when it has one (which tries a
    /// failed attempt again ten seconds later).
    pub(crate) fn wait_for(&self, to: &str, count: usize) -> Vec<String> {
        self.wait_for_within(to, count, Duration::from_secs(30))
    }

    /// [`SmtpServer::wait_for`], waiting up to `wait`.
    pub(crate) fn wait_for_within(&self, to: &str, count: usize, wait: Duration) -> Vec<String> {
        let header = format!("To: {to}\n");
        let deadline = Instant::now() + wait;
        loop {
            let found: Vec<String> = self
                .messages()
                .into_iter()
                .filter(|message| message.replace("\r\n", "\n").contains(&header))
                .collect();
            if found.len() >= count || Instant::now() > deadline {
                return found;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
