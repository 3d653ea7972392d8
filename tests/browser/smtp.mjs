// A minimal SMTP server for the browser tests: it keeps every message, decoded, and lets a test
// wait for the next one to an address.

import { createServer } from 'node:net';

/** Quoted-printable (RFC 2045) to text. */
function fromQuotedPrintable(s) {
  const bytes = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The text of a message: its body decoded by its Content-Transfer-Encoding (one part). */
function decodeMessage(raw) {
  const at = raw.search(/\r?\n\r?\n/);
  const head = raw.slice(0, at);
  const body = raw.slice(at).replace(/^\r?\n\r?\n/, '');
  if (/content-transfer-encoding:\s*base64/i.test(head)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  // Quoted-printable, or 7bit / 8bit (which decoding leaves as they are, but for a stray "=XX").
  return /content-transfer-encoding:\s*quoted-printable/i.test(raw) ? fromQuotedPrintable(body) : body;
}

/** A minimal SMTP server: keeps every message; `next(to)` resolves with the next one to `to`. */
export function startSmtp() {
  const mails = [];
  const waiting = [];
  const deliver = (mail) => {
    mails.push(mail);
    for (const w of [...waiting]) {
      if (w.match(mail)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.ok(mail);
      }
    }
  };
  const srv = createServer((socket) => {
    socket.setEncoding('utf8');
    socket.write('220 test SMTP\r\n');
    let buffer = '';
    let data = null;
    let to = [];
    socket.on('data', (chunk) => {
      buffer += chunk;
      let i;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (data !== null) {
          if (line === '.') {
            const raw = data.join('\r\n');
            deliver({ to, raw, text: decodeMessage(raw) });
            data = null;
            to = [];
            socket.write('250 OK queued\r\n');
          } else data.push(line.startsWith('..') ? line.slice(1) : line);
          continue;
        }
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO' || cmd === 'HELO') socket.write('250 test\r\n');
        else if (cmd === 'MAIL') socket.write('250 OK\r\n');
        else if (cmd === 'RCPT') {
          to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
          socket.write('250 OK\r\n');
        } else if (cmd === 'DATA') {
          data = [];
          socket.write('354 go on\r\n');
        } else if (cmd === 'QUIT') {
          socket.end('221 bye\r\n');
        } else if (cmd === 'RSET' || cmd === 'NOOP') socket.write('250 OK\r\n');
        else socket.write('502 not here\r\n');
      }
    });
    socket.on('error', () => {});
  });
  return new Promise((ok) => srv.listen(0, '127.0.0.1', () => ok({
    port: srv.address().port,
    mails,
    /** The first message to `address` (after `skip` earlier ones), as soon as it comes. */
    next(address, skip = 0) {
      const match = (m) => m.to.includes(address);
      const seen = mails.filter(match);
      if (seen.length > skip) return Promise.resolve(seen[skip]);
      let count = seen.length;
      return new Promise((resolve) => waiting.push({ match: (m) => match(m) && count++ >= skip, ok: resolve }));
    },
    close: () => new Promise((done) => srv.close(done)),
  })));
}
