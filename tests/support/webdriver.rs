//! A minimal W3C WebDriver client, written by hand over `std::net`: it starts
//! Debian's chromedriver (`apt-get install chromium chromium-driver`), opens a
//! headless Chromium session and drives it one plain HTTP/1.1 request at a time.
//!
//! Every call that the driver answers with an error fails the test with the
//! driver's message. Only what the browser tests need is here: navigation,
//! CSS lookups, clicks, typing, text, page source and PNG screenshots.

use std::cell::Cell;
use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Where Debian's `chromium-driver` package puts the driver.
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Where Debian's `chromium` package puts the browser (a launcher script).
const CHROMIUM: &str = "/usr/bin/chromium";
/// The key under which W3C WebDriver returns an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long `wait_for` polls before it fails the test.
const WAIT: Duration = Duration::from_secs(10);
/// How long one request may take; creating a session starts a browser.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A running chromedriver on a free local port, killed when dropped.
pub(crate) struct Chromedriver {
    child: Child,
    port: u16,
}

impl Chromedriver {
    /// Starts `/usr/bin/chromedriver` and waits (up to 20 s) until it says it
    /// is ready for sessions.
    pub(crate) fn start() -> Self {
        assert!(
            Path::new(CHROMEDRIVER).exists() && Path::new(CHROMIUM).exists(),
            "browser tests need {CHROMEDRIVER} and {CHROMIUM}: \
             apt-get install chromium chromium-driver"
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free local port")
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let mut driver = Self { child, port };

        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = driver.child.try_wait().expect("chromedriver status") {
                panic!("chromedriver exited before it was ready: {status}");
            }
            if let Ok(value) = request(port, "GET", "/status", None)
                && value["ready"] == json!(true)
            {
                return driver;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver was not ready on port {port} within 20 s"
            );
            thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // It may have died already; either way nothing is left running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser session: a headless Chromium with a fresh profile. The session
/// (and with it the browser) ends when this is dropped.
pub(crate) struct Browser<'d> {
    driver: &'d Chromedriver,
    session: String,
    screenshots: PathBuf,
    taken: Cell<u32>,
    // Kept so the profile folder lives as long as the browser.
    _profile: tempfile::TempDir,
}

impl<'d> Browser<'d> {
    /// Opens a session on `driver`. Screenshots go to `screenshots` (created
    /// if missing) as `01-name.png`, `02-name.png`, ... in the order taken.
    pub(crate) fn open(driver: &'d Chromedriver, screenshots: &Path) -> Self {
        fs::create_dir_all(screenshots).expect("screenshot folder");
        let profile = tempfile::tempdir().expect("browser profile folder");
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": CHROMIUM,
                        "args": [
                            "--headless=new",
                            // Chromium refuses to run as root with its sandbox.
                            "--no-sandbox",
                            "--disable-gpu",
                            "--disable-dev-shm-usage",
                            // Without network, Chromium's own background traffic
                            // (updates, sync, QUIC probes) only makes noise.
                            "--disable-quic",
                            "--no-first-run",
                            "--disable-background-networking",
                            "--disable-component-update",
                            "--disable-sync",
                            "--window-size=1280,900",
                            format!("--user-data-dir={}", profile.path().display()),
                        ],
                    },
                },
            },
        });
        let value = call(driver.port, "POST", "/session", Some(&capabilities));
        let session = value["sessionId"]
            .as_str()
            .expect("a new session has an id")
            .to_owned();
        Self {
            driver,
            session,
            screenshots: screenshots.to_path_buf(),
            taken: Cell::new(0),
            _profile: profile,
        }
    }

    /// Sends one command of this session: `path` is relative to
    /// `/session/{id}`.
    fn command(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        call(self.driver.port, method, &path, body)
    }

    /// Loads `url` and waits until the page has loaded.
    pub(crate) fn goto(&self, url: &str) {
        self.command("POST", "/url", Some(&json!({ "url": url })));
    }

    /// The address of the page now shown.
    pub(crate) fn current_url(&self) -> String {
        string(self.command("GET", "/url", None), "url")
    }

    /// The page's `<title>`.
    pub(crate) fn title(&self) -> String {
        string(self.command("GET", "/title", None), "title")
    }

    /// The page's HTML as the browser now has it.
    pub(crate) fn page_source(&self) -> String {
        string(self.command("GET", "/source", None), "page source")
    }

    /// The first element matching the CSS selector `css`; fails the test when
    /// there is none.
    pub(crate) fn find(&self, css: &str) -> Element<'_> {
        let value = self.command("POST", "/element", Some(&css_locator(css)));
        self.element(&value)
    }

    /// Every element matching the CSS selector `css`, in document order;
    /// empty when none does.
    pub(crate) fn find_all(&self, css: &str) -> Vec<Element<'_>> {
        let value = self.command("POST", "/elements", Some(&css_locator(css)));
        value
            .as_array()
            .expect("find elements answers a list")
            .iter()
            .map(|reference| self.element(reference))
            .collect()
    }

    /// Waits (up to 10 s) for an element matching `css`, then returns it.
    pub(crate) fn wait_for(&self, css: &str) -> Element<'_> {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(element) = self.find_all(css).into_iter().next() {
                return element;
            }
            assert!(
                Instant::now() < deadline,
                "nothing matched {css:?} within {WAIT:?} on {}",
                self.current_url()
            );
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// Saves a PNG of the window as `NN-name.png` in the screenshot folder,
    /// numbered in the order taken, and returns its path.
    pub(crate) fn screenshot(&self, name: &str) -> PathBuf {
        self.try_screenshot(name)
            .unwrap_or_else(|error| panic!("screenshot {name}: {error}"))
    }

    /// [`Browser::screenshot`] without panicking, for `Drop`.
    fn try_screenshot(&self, name: &str) -> Result<PathBuf, String> {
        let path = format!("/session/{}/screenshot", self.session);
        let value = request(self.driver.port, "GET", &path, None)?;
        let encoded = value.as_str().ok_or("the screenshot is not a string")?;
        let png = decode_base64(encoded)?;
        if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err("the screenshot is not a PNG".to_owned());
        }
        let number = self.taken.get() + 1;
        self.taken.set(number);
        let file = self.screenshots.join(format!("{number:02}-{name}.png"));
        fs::write(&file, png).map_err(|error| format!("write {}: {error}", file.display()))?;
        Ok(file)
    }

    fn element(&self, reference: &Value) -> Element<'_> {
        let id = reference[ELEMENT_KEY]
            .as_str()
            .unwrap_or_else(|| panic!("not an element reference: {reference}"))
            .to_owned();
        Element { browser: self, id }
    }
}

impl Drop for Browser<'_> {
    fn drop(&mut self) {
        // A failing test leaves a picture of the page it failed on. Nothing
        // here may panic: that would hide the test's own failure.
        if thread::panicking() {
            match self.try_screenshot("failure") {
                Ok(file) => eprintln!("the page at the failure: {}", file.display()),
                Err(error) => eprintln!("no screenshot of the failure: {error}"),
            }
        }
        // Ends the browser.
        let path = format!("/session/{}", self.session);
        let _ = request(self.driver.port, "DELETE", &path, None);
    }
}

/// An element found on the page of a [`Browser`].
pub(crate) struct Element<'b> {
    browser: &'b Browser<'b>,
    id: String,
}

impl Element<'_> {
    fn command(&self, method: &str, action: &str, body: Option<&Value>) -> Value {
        let path = format!("/element/{}/{action}", self.id);
        self.browser.command(method, &path, body)
    }

    /// Clicks the element; a link or a submit button loads the next page
    /// before this returns.
    pub(crate) fn click(&self) {
        self.command("POST", "click", Some(&json!({})));
    }

    /// Empties a text field.
    pub(crate) fn clear(&self) {
        self.command("POST", "clear", Some(&json!({})));
    }

    /// Types `text` into the element, after what it already holds.
    pub(crate) fn type_text(&self, text: &str) {
        self.command("POST", "value", Some(&json!({ "text": text })));
    }

    /// The element's visible text.
    pub(crate) fn text(&self) -> String {
        string(self.command("GET", "text", None), "element text")
    }

    /// The value of the element's attribute `name` (a link's `href`, as written).
    pub(crate) fn attribute(&self, name: &str) -> String {
        let path = format!("attribute/{name}");
        string(self.command("GET", &path, None), "an attribute")
    }
}

fn css_locator(css: &str) -> Value {
    json!({ "using": "css selector", "value": css })
}

fn string(value: Value, what: &str) -> String {
    match value {
        Value::String(text) => text,
        other => panic!("{what} should be a string, got {other}"),
    }
}

/// Like [`request`], but an error fails the test.
fn call(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    request(port, method, path, body)
        .unwrap_or_else(|error| panic!("WebDriver {method} {path}: {error}"))
}

/// Sends one WebDriver command and returns the `value` of its answer, or the
/// driver's error and message.
fn request(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).map_err(|error| format!("connect: {error}"))?;
    stream
        .set_read_timeout(Some(REQUEST_TIMEOUT))
        .map_err(|error| format!("read timeout: {error}"))?;
    // A POST always carries a JSON body, even an empty object.
    let body = match (method, body) {
        (_, Some(body)) => body.to_string(),
        ("POST", None) => "{}".to_owned(),
        _ => String::new(),
    };
    let head = format!(
        "{method} {path} HTTP/1.1\r\n\
         Host: 127.0.0.1:{port}\r\n\
         Connection: close\r\n\
         Accept: application/json\r\n\
         Content-Type: application/json; charset=utf-8\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body.as_bytes()))
        .map_err(|error| format!("send: {error}"))?;

    let (status, response) = read_response(&mut stream)?;
    let json: Value = serde_json::from_slice(&response).map_err(|error| {
        format!(
            "status {status}, not JSON ({error}): {}",
            String::from_utf8_lossy(&response)
        )
    })?;
    let value = json.get("value").cloned().unwrap_or(Value::Null);
    if let Some(error) = value.get("error") {
        let error = error.as_str().unwrap_or_default();
        let message = value["message"].as_str().unwrap_or_default();
        return Err(format!("{error}: {message}"));
    }
    if !(200..300).contains(&status) {
        return Err(format!("status {status}: {json}"));
    }
    Ok(value)
}

/// Reads one HTTP response; returns its status and its body, de-chunked when
/// sent chunked. Reads until the body is complete (by Content-Length or the
/// last chunk) or the driver closes the connection.
fn read_response(stream: &mut TcpStream) -> Result<(u16, Vec<u8>), String> {
    let mut received = Vec::new();
    let mut buffer = [0; 16 * 1024];
    loop {
        let closed = match stream.read(&mut buffer) {
            Ok(0) => true,
            Ok(count) => {
                received.extend_from_slice(&buffer[..count]);
                false
            }
            Err(error) if error.kind() == ErrorKind::Interrupted => continue,
            Err(error) => return Err(format!("read: {error}")),
        };
        if let Some(parsed) = parse_response(&received, closed)? {
            return Ok(parsed);
        }
        if closed {
            return Err(format!(
                "the connection closed mid-response: {}",
                String::from_utf8_lossy(&received)
            ));
        }
    }
}

/// The status and body of `received`, or `None` while more is to come.
/// `closed` says the peer has sent everything.
fn parse_response(received: &[u8], closed: bool) -> Result<Option<(u16, Vec<u8>)>, String> {
    let Some(end) = received.windows(4).position(|window| window == b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = String::from_utf8_lossy(&received[..end]);
    let body = &received[end + 4..];
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| format!("not an HTTP status line: {status_line:?}"))?;

    let mut chunked = false;
    let mut length = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().contains("chunked");
        } else if name.eq_ignore_ascii_case("content-length") {
            length = value.parse::<usize>().ok();
        }
    }

    if chunked {
        return Ok(dechunk(body)?.map(|body| (status, body)));
    }
    match length {
        Some(length) if body.len() >= length => Ok(Some((status, body[..length].to_vec()))),
        None if closed => Ok(Some((status, body.to_vec()))),
        Some(_) | None => Ok(None),
    }
}

/// Joins the chunks of a chunked body; `None` until the last chunk is in.
fn dechunk(mut body: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let mut joined = Vec::new();
    loop {
        let Some(line_end) = body.windows(2).position(|window| window == b"\r\n") else {
            return Ok(None);
        };
        let size_line = String::from_utf8_lossy(&body[..line_end]);
        let size_text = size_line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|error| format!("bad chunk size {size_text:?}: {error}"))?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Ok(Some(joined));
        }
        if body.len() < size + 2 {
            return Ok(None);
        }
        joined.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}

/// Decodes standard base64 (`A-Z a-z 0-9 + /`, `=` padding); line breaks and
/// spaces are skipped.
fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    let mut decoded = Vec::with_capacity(text.len() / 4 * 3);
    let mut bits: u32 = 0;
    let mut count = 0;
    for byte in text.bytes() {
        let sextet = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            other => return Err(format!("not base64: {:?}", char::from(other))),
        };
        bits = (bits << 6) | u32::from(sextet);
        count += 6;
        if count >= 8 {
            count -= 8;
            // Masked below to `count` bits, so exactly eight remain above them.
            decoded.push(u8::try_from(bits >> count).map_err(|error| error.to_string())?);
            bits &= (1 << count) - 1;
        }
    }
    Ok(decoded)
}

#[test]
fn base64_decodes_with_and_without_padding() {
    let decoded = |text: &str| decode_base64(text).expect("valid base64");
    assert_eq!(decoded(""), b"");
    assert_eq!(decoded("Zg=="), b"f");
    assert_eq!(decoded("Zm8="), b"fo");
    assert_eq!(decoded("Zm9v"), b"foo");
    assert_eq!(decoded("Zm9vYg==\n"), b"foob");
    assert_eq!(decoded("+/8="), [0xfb, 0xff]);
    assert!(decode_base64("Zm9v!").is_err());
}

#[test]
fn chunked_bodies_are_joined() {
    let response = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
                     4\r\n{\"va\r\nA;x=y\r\nlue\":null}\r\n0\r\n\r\n";
    let parsed = parse_response(response, false).expect("a valid response");
    assert_eq!(parsed, Some((200, b"{\"value\":null}".to_vec())));
    assert_eq!(parse_response(&response[..60], false), Ok(None));
}
