//! A path prefix in front of the root paths of a page as it goes out (behind a proxy that
//! serves the service under a path, `base::prefix_links`): ` href="/`, ` src="/`,
//! ` action="/` become ` href="/kart/`, over a body of any size, piece by piece.

use axum::body::Body;

/// ` href="/x`, ` src="/x`, ` action="/x` (double or single quotes) become
/// ` href="{prefix}/x`; `"//host"` and everything else stays. The whole text at once; see
/// [`RootPathRewriter`] for a body in pieces.
#[cfg(test)]
fn prefix_root_paths(html: &str, prefix: &str) -> String {
    let mut rewriter = RootPathRewriter::new(prefix);
    let mut out = rewriter.push(html.as_bytes());
    out.extend(rewriter.finish());
    String::from_utf8(out).expect("the prefix goes in after an ASCII quote: the text stays UTF-8")
}

/// ` href="/x`, ` src="/x`, ` action="/x` (double or single quotes) become
/// ` href="{prefix}/x`, and `"//host"` and everything else stays, over a body that comes in
/// pieces: what could be the start of an
/// attribute split between two pieces (at most [`RootPathRewriter::LOOKAHEAD`] bytes) is
/// held back until the next piece or [`finish`](Self::finish). Works on bytes: the
/// attributes are ASCII, so a multi-byte character is never split or matched.
pub struct RootPathRewriter {
    prefix: Vec<u8>,
    carry: Vec<u8>,
}

impl RootPathRewriter {
    const ATTRIBUTES: [&[u8]; 3] = [b" href=", b" src=", b" action="];
    /// The longest attribute, its quote, the `/` and the byte after it (not a second `/`).
    const LOOKAHEAD: usize = 8 + 3;

    pub fn new(prefix: &str) -> RootPathRewriter {
        RootPathRewriter {
            prefix: prefix.as_bytes().to_vec(),
            carry: Vec::new(),
        }
    }

    /// The rewritten bytes of `piece` and what was held back before it, up to where a match
    /// could still continue in the next piece.
    pub fn push(&mut self, piece: &[u8]) -> Vec<u8> {
        let mut buf = std::mem::take(&mut self.carry);
        buf.extend_from_slice(piece);
        let (out, used) = self.rewrite(&buf, false);
        self.carry = buf[used..].to_vec();
        out
    }

    /// What was held back, rewritten: the body has ended.
    pub fn finish(&mut self) -> Vec<u8> {
        let buf = std::mem::take(&mut self.carry);
        self.rewrite(&buf, true).0
    }

    /// The rewritten bytes and how many bytes of `buf` they cover (all when `last`).
    fn rewrite(&self, buf: &[u8], last: bool) -> (Vec<u8>, usize) {
        let mut out = Vec::with_capacity(buf.len() + 4 * self.prefix.len());
        let mut i = 0;
        'scan: while i < buf.len() {
            let Some(space) = buf[i..].iter().position(|&b| b == b' ') else {
                out.extend_from_slice(&buf[i..]);
                return (out, buf.len());
            };
            out.extend_from_slice(&buf[i..i + space]);
            i += space;
            if !last && buf.len() - i < Self::LOOKAHEAD {
                break;
            }
            for attribute in Self::ATTRIBUTES {
                if let Some([quote @ (b'"' | b'\''), b'/', next @ ..]) =
                    buf[i..].strip_prefix(attribute)
                    && next.first() != Some(&b'/')
                {
                    out.extend_from_slice(attribute);
                    out.push(*quote);
                    out.extend_from_slice(&self.prefix);
                    i += attribute.len() + 1;
                    continue 'scan;
                }
            }
            out.push(b' ');
            i += 1;
        }
        (out, i)
    }
}

/// A response body passed through a [`RootPathRewriter`], piece by piece.
pub struct PrefixedBody {
    inner: Body,
    rewriter: RootPathRewriter,
    /// Trailers that came while bytes were still held back: sent after them.
    trailers: Option<http_body::Frame<axum::body::Bytes>>,
    ended: bool,
}

impl PrefixedBody {
    pub fn new(inner: Body, prefix: &str) -> PrefixedBody {
        PrefixedBody {
            inner,
            rewriter: RootPathRewriter::new(prefix),
            trailers: None,
            ended: false,
        }
    }
}

impl http_body::Body for PrefixedBody {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        use std::task::Poll;
        let this = self.get_mut();
        loop {
            if this.ended {
                return Poll::Ready(this.trailers.take().map(Ok));
            }
            let frame = match std::pin::Pin::new(&mut this.inner).poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(frame))) => frame,
                Poll::Ready(None) => {
                    this.ended = true;
                    let rest = this.rewriter.finish();
                    if rest.is_empty() {
                        continue;
                    }
                    return Poll::Ready(Some(Ok(http_body::Frame::data(rest.into()))));
                }
            };
            match frame.into_data() {
                Ok(data) => {
                    let out = this.rewriter.push(&data);
                    if !out.is_empty() {
                        return Poll::Ready(Some(Ok(http_body::Frame::data(out.into()))));
                    }
                }
                Err(trailers) => {
                    this.ended = true;
                    this.trailers = Some(trailers);
                    let rest = this.rewriter.finish();
                    if !rest.is_empty() {
                        return Poll::Ready(Some(Ok(http_body::Frame::data(rest.into()))));
                    }
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.ended && self.trailers.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_paths_in_html_get_the_prefix_and_the_rest_stays() {
        let html = r##"<a href="/org">x</a><link href='/static/a.css'><a href="#main">
<img src="//cdn.example/x"><form action="/auth/link/ab"><a href="https://x/"><a data-href="/no">"##;
        assert_eq!(
            prefix_root_paths(html, "/kart"),
            r##"<a href="/kart/org">x</a><link href='/kart/static/a.css'><a href="#main">
<img src="//cdn.example/x"><form action="/kart/auth/link/ab"><a href="https://x/"><a data-href="/no">"##
        );
        // In pieces, split anywhere (inside an attribute, a quote, a multi-byte character):
        // the same bytes as the whole.
        let html = format!("{html} <p>Sjø å</p> <a href='/x'> <a href=\"/\"> src=\"//y\"");
        let whole = prefix_root_paths(&html, "/kart");
        assert!(
            whole.ends_with(r#"<a href='/kart/x'> <a href="/kart/"> src="//y""#),
            "{whole}"
        );
        let bytes = html.as_bytes();
        for size in 1..=13 {
            let mut rewriter = RootPathRewriter::new("/kart");
            let mut out = Vec::new();
            for piece in bytes.chunks(size) {
                out.extend(rewriter.push(piece));
            }
            out.extend(rewriter.finish());
            assert_eq!(String::from_utf8(out).unwrap(), whole, "pieces of {size}");
        }
        for cut in 0..=bytes.len() {
            let mut rewriter = RootPathRewriter::new("/kart");
            let mut out = rewriter.push(&bytes[..cut]);
            out.extend(rewriter.push(&bytes[cut..]));
            out.extend(rewriter.finish());
            assert_eq!(String::from_utf8(out).unwrap(), whole, "cut at {cut}");
        }
    }
}
