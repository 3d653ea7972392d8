//! HTTP for the fetchers: retries with backoff within a bounded total time, a minimum
//! interval per host (SSB allows 30 requests a minute), conditional requests
//! (`If-None-Match`, `If-Modified-Since`) and resumed downloads (`Range`), progress on a
//! terminal and plain lines elsewhere. Errors name the source, the URL and what was wrong.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

use super::{FetchError, Source};

/// How hard to try: attempts with doubling pauses, within a total time per request.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub first_pause: Duration,
    /// No request (with its retries) takes longer than this.
    pub total: Duration,
    /// One attempt's limit (connecting and reading).
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 5,
            first_pause: Duration::from_secs(1),
            total: Duration::from_secs(300),
            timeout: Duration::from_secs(120),
        }
    }
}

/// What a download returned, for the manifest.
#[derive(Debug, Clone, Default)]
pub struct Downloaded {
    pub bytes: u64,
    pub sha256: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The server said the earlier copy is current (304): the file was left as it was.
    pub not_modified: bool,
}

/// The validators of an earlier download, for a conditional request.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The earlier file's length and SHA-256, when recorded with it: a 304 then does not
    /// read the file again (a country extract is 1.3 GB).
    pub content: Option<(u64, String)>,
}

pub struct Http {
    client: reqwest::Client,
    retry: RetryPolicy,
    /// Host → (minimum interval, last request).
    pace: Mutex<HashMap<String, (Duration, Option<Instant>)>>,
    /// Bars on a terminal; plain lines otherwise.
    pub terminal: bool,
}

/// Whether a failed attempt is worth another: the network, a timeout, 429 and 5xx.
fn transient(status: Option<reqwest::StatusCode>) -> bool {
    match status {
        None => true,
        Some(s) => s == reqwest::StatusCode::TOO_MANY_REQUESTS || s.is_server_error(),
    }
}

impl Http {
    pub fn new(retry: RetryPolicy, terminal: bool) -> Result<Http, String> {
        let client = reqwest::Client::builder()
            .user_agent(concat!(
                "naermiljo/",
                env!("CARGO_PKG_VERSION"),
                " (+https://github.com/naermiljo)"
            ))
            .connect_timeout(Duration::from_secs(20))
            .timeout(retry.timeout)
            .read_timeout(retry.timeout)
            .build()
            .map_err(|e| format!("cannot make an HTTP client: {e}"))?;
        Ok(Http {
            client,
            retry,
            pace: Mutex::default(),
            terminal,
        })
    }

    /// At most one request per `interval` to `host` (SSB: 30 a minute → 2 s).
    pub async fn pace_host(&self, host: &str, interval: Duration) {
        self.pace
            .lock()
            .await
            .insert(host.to_string(), (interval, None));
    }

    async fn wait_turn(&self, url: &reqwest::Url) {
        let host = url.host_str().unwrap_or_default().to_string();
        let wait = {
            let mut pace = self.pace.lock().await;
            let Some((interval, last)) = pace.get_mut(&host) else {
                return;
            };
            let now = Instant::now();
            let next = last.map_or(now, |l| (l + *interval).max(now));
            *last = Some(next);
            next - now
        };
        tokio::time::sleep(wait).await;
    }

    /// Sends the request `make` builds, again after a transient failure, until it answers
    /// with a status `accept` takes, the attempts run out or the total time would pass.
    async fn send(
        &self,
        source: Source,
        url: &str,
        make: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
        accept: impl Fn(reqwest::StatusCode) -> bool,
    ) -> Result<reqwest::Response, FetchError> {
        let error = |reason: String| FetchError::new(source, url, reason);
        let parsed = reqwest::Url::parse(url).map_err(|e| error(format!("not a URL: {e}")))?;
        let started = Instant::now();
        let mut pause = self.retry.first_pause;
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.wait_turn(&parsed).await;
            let outcome = make(&self.client).send().await;
            let (status, reason) = match outcome {
                Ok(r) if accept(r.status()) => return Ok(r),
                Ok(r) => {
                    let status = r.status();
                    let retry_after = r
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<u64>().ok());
                    if let Some(s) = retry_after {
                        pause = pause.max(Duration::from_secs(s.min(120)));
                    }
                    let body = r.text().await.unwrap_or_default();
                    let snippet: String = body.chars().take(200).collect();
                    (Some(status), format!("HTTP {status}: {snippet}"))
                }
                Err(e) if e.is_timeout() => (None, "timed out".to_string()),
                Err(e) => (None, format!("{e}")),
            };
            let out_of_time = started.elapsed() + pause > self.retry.total;
            if !transient(status) || attempt >= self.retry.attempts || out_of_time {
                let tries = if attempt > 1 {
                    format!(" (after {attempt} attempts)")
                } else {
                    String::new()
                };
                return Err(error(format!("{reason}{tries}")));
            }
            tracing::info!(%url, attempt, ?pause, "{reason}; trying again");
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(60));
        }
    }

    /// The body of a GET answered 200, whole, with `headers`.
    pub async fn get_bytes(
        &self,
        source: Source,
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<Vec<u8>, FetchError> {
        let r = self
            .send(
                source,
                url,
                |c| {
                    headers
                        .iter()
                        .fold(c.get(url), |r, (name, value)| r.header(*name, *value))
                },
                |s| s == reqwest::StatusCode::OK,
            )
            .await?;
        r.bytes()
            .await
            .map(|b| b.to_vec())
            .map_err(|e| FetchError::new(source, url, format!("the answer broke off: {e}")))
    }

    /// A GET's JSON answer as `T`; a shape that is not `T` names the field serde missed.
    pub async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        source: Source,
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<T, FetchError> {
        let bytes = self.get_bytes(source, url, headers).await?;
        parse_json(source, url, &bytes)
    }

    /// A POST of `body` as JSON; its JSON answer (200 or 201) as `T`.
    pub async fn post_json<T: serde::de::DeserializeOwned>(
        &self,
        source: Source,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<T, FetchError> {
        let text = body.to_string();
        let r = self
            .send(
                source,
                url,
                |c| {
                    c.post(url)
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(text.clone())
                },
                |s| s == reqwest::StatusCode::OK || s == reqwest::StatusCode::CREATED,
            )
            .await?;
        let bytes = r
            .bytes()
            .await
            .map_err(|e| FetchError::new(source, url, format!("the answer broke off: {e}")))?;
        parse_json(source, url, &bytes)
    }

    /// Downloads `url` to `dest`: resumes a partial `dest.part` with `Range` (also within
    /// one run, when the body breaks off: up to the policy's attempts), and with `earlier`
    /// validators answers 304 by leaving `dest` as it is. The file appears at `dest` only
    /// when complete. A body may take as long as it needs; each read waits at most the
    /// policy's timeout. The file is hashed in pieces, never held in memory.
    pub async fn download(
        &self,
        source: Source,
        url: &str,
        dest: &Path,
        earlier: Option<&Validators>,
    ) -> Result<Downloaded, FetchError> {
        let error = |reason: String| FetchError::new(source, url, reason);
        let part = dest.with_extension("part");
        let earlier = earlier.filter(|_| dest.exists());
        let mut broke_off = 0;
        let (etag, last_modified) = loop {
            let have = tokio::fs::metadata(&part).await.map_or(0, |m| m.len());
            let response = self
                .send(
                    source,
                    url,
                    |c| {
                        // The client's whole-request limit is for small answers; a country
                        // file may take an hour. Reads still time out (`read_timeout`).
                        let mut r = c.get(url).timeout(Duration::from_secs(24 * 3600));
                        if have > 0 {
                            r = r.header(reqwest::header::RANGE, format!("bytes={have}-"));
                        }
                        if let Some(v) = earlier {
                            if let Some(etag) = &v.etag {
                                r = r.header(reqwest::header::IF_NONE_MATCH, etag);
                            }
                            if let Some(lm) = &v.last_modified {
                                r = r.header(reqwest::header::IF_MODIFIED_SINCE, lm);
                            }
                        }
                        r
                    },
                    |s| {
                        s == reqwest::StatusCode::OK
                            || s == reqwest::StatusCode::PARTIAL_CONTENT
                            || s == reqwest::StatusCode::NOT_MODIFIED
                    },
                )
                .await?;
            let header = |name| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                    .map(str::to_string)
            };
            let etag = header(reqwest::header::ETAG);
            let last_modified = header(reqwest::header::LAST_MODIFIED);
            if response.status() == reqwest::StatusCode::NOT_MODIFIED {
                let (bytes, sha256) = match earlier.and_then(|v| v.content.clone()) {
                    Some(known) => known,
                    None => hash_file(dest.to_path_buf())
                        .await
                        .map_err(|e| error(format!("the earlier {}: {e}", dest.display())))?,
                };
                return Ok(Downloaded {
                    bytes,
                    sha256,
                    etag: etag.or_else(|| earlier.and_then(|v| v.etag.clone())),
                    last_modified: last_modified
                        .or_else(|| earlier.and_then(|v| v.last_modified.clone())),
                    not_modified: true,
                });
            }
            match self.receive(source, url, response, &part, have).await {
                Ok(()) => break (etag, last_modified),
                Err(Received::Broke(reason)) if broke_off + 1 < self.retry.attempts => {
                    broke_off += 1;
                    tracing::info!(%url, broke_off, "{reason}; resuming");
                }
                Err(Received::Broke(reason) | Received::Failed(reason)) => {
                    return Err(error(reason));
                }
            }
        };
        let (bytes, sha256) = hash_file(part.clone())
            .await
            .map_err(|e| error(format!("{}: {e}", part.display())))?;
        tokio::fs::rename(&part, dest)
            .await
            .map_err(|e| error(format!("cannot write {}: {e}", dest.display())))?;
        if !self.terminal {
            eprintln!("{}: {} ({bytes} bytes)", source.name(), dest.display());
        }
        Ok(Downloaded {
            bytes,
            sha256,
            etag,
            last_modified,
            not_modified: false,
        })
    }

    /// Writes an answer's body to `part` (appended when it answers a range from `have`).
    /// A body that breaks off or ends short is `Broke` (worth resuming); a file that cannot
    /// be written is `Failed`.
    async fn receive(
        &self,
        source: Source,
        url: &str,
        mut response: reqwest::Response,
        part: &Path,
        have: u64,
    ) -> Result<(), Received> {
        let resumed = response.status() == reqwest::StatusCode::PARTIAL_CONTENT;
        let start = if resumed { have } else { 0 };
        let total = response.content_length().map(|n| n + start);
        let cannot_write =
            |e: std::io::Error| Received::Failed(format!("cannot write {}: {e}", part.display()));
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(resumed)
            .truncate(!resumed)
            .open(part)
            .await
            .map_err(cannot_write)?;
        let progress = self.progress(source, total, start);
        let mut lines = PlainProgress::new(self.terminal, source, url, total, start);
        let mut written = start;
        loop {
            let chunk = match response.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(e) => {
                    file.flush().await.map_err(cannot_write)?;
                    return Err(Received::Broke(format!(
                        "the download broke off after {written} bytes ({e}); run again to resume"
                    )));
                }
            };
            file.write_all(&chunk).await.map_err(cannot_write)?;
            written += chunk.len() as u64;
            progress.inc(chunk.len() as u64);
            lines.at(written);
        }
        file.flush().await.map_err(cannot_write)?;
        file.sync_all().await.map_err(cannot_write)?;
        progress.finish_and_clear();
        match total {
            Some(t) if t != written => Err(Received::Broke(format!(
                "got {written} of {t} bytes; run again to resume"
            ))),
            _ => Ok(()),
        }
    }

    /// A bar with bytes, rate and time left on a terminal; hidden otherwise (plain lines
    /// are written when a file is done).
    fn progress(&self, source: Source, total: Option<u64>, done: u64) -> indicatif::ProgressBar {
        if !self.terminal {
            return indicatif::ProgressBar::hidden();
        }
        let bar = match total {
            Some(t) => indicatif::ProgressBar::new(t),
            None => indicatif::ProgressBar::no_length(),
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{prefix:>14} {bar:30} {bytes}/{total_bytes} {bytes_per_sec} {eta} left",
            )
            .expect("a fixed, valid template"),
        );
        bar.set_prefix(source.name());
        bar.set_position(done);
        bar
    }
}

/// An answer's JSON as `T`; a shape that is not `T` names the field serde missed.
fn parse_json<T: serde::de::DeserializeOwned>(
    source: Source,
    url: &str,
    bytes: &[u8],
) -> Result<T, FetchError> {
    serde_json::from_slice(bytes).map_err(|e| {
        FetchError::new(
            source,
            url,
            format!("the answer is not the expected JSON ({e}): has the format changed?"),
        )
    })
}

/// How one answer's body went.
enum Received {
    Broke(String),
    Failed(String),
}

/// Off a terminal, a line at every tenth of a large download (bytes, rate, time left).
struct PlainProgress {
    on: bool,
    name: &'static str,
    url: String,
    total: u64,
    next_tenth: u64,
    started: Instant,
    start: u64,
}

impl PlainProgress {
    /// Lines only for downloads over 50 MB of known length.
    fn new(terminal: bool, source: Source, url: &str, total: Option<u64>, start: u64) -> Self {
        let total = total.unwrap_or(0);
        PlainProgress {
            on: !terminal && total > 50_000_000,
            name: source.name(),
            url: url.to_string(),
            total,
            next_tenth: start * 10 / total.max(1) + 1,
            started: Instant::now(),
            start,
        }
    }

    fn at(&mut self, written: u64) {
        if !self.on || written * 10 < self.next_tenth * self.total {
            return;
        }
        self.next_tenth = written * 10 / self.total + 1;
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        let rate = (written - self.start) as f64 / secs;
        let left = (self.total - written.min(self.total)) as f64 / rate.max(1.0);
        eprintln!(
            "{}: {} MB of {} MB, {:.1} MB/s, {:.0} s left ({})",
            self.name,
            written / 1_000_000,
            self.total / 1_000_000,
            rate / 1e6,
            left,
            self.url
        );
    }
}

/// A file's length and SHA-256, read off the async runtime's threads.
async fn hash_file(path: std::path::PathBuf) -> Result<(u64, String), String> {
    tokio::task::spawn_blocking(move || sha256_file(&path))
        .await
        .map_err(|e| format!("cannot read: {e}"))?
}

/// Its length and SHA-256 (hex), read in 1 MiB pieces: a country file is not held in
/// memory.
pub fn sha256_file(path: &Path) -> Result<(u64, String), String> {
    use sha2::Digest;
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut hasher = sha2::Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|e| format!("cannot read: {e}"))?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        hasher.update(&buffer[..n]);
    }
    Ok((bytes, hex(&hasher.finalize())))
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
