import type { SMTPServer } from 'smtp-server';

/** One message as the stand-in received it: the envelope, the login used (if any) and the raw MIME text. */
export interface ReceivedMail {
  from: string;
  to: string[];
  user: string | null;
  raw: string;
}

/**
 * A real SMTP server (smtp-server) on loopback that keeps every message it is given, whole. With
 * `login`, it asks for that user and password and refuses any other, so a test sees the password
 * kept with the secrets really reach the server.
 */
export async function startSmtpStandIn(options: { login?: { user: string; pass: string } } = {}): Promise<{ port: number; mails: ReceivedMail[]; stop: () => Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const { SMTPServer } = await import('smtp-server');
  const server: SMTPServer = new SMTPServer({
    authOptional: !options.login,
    // Loopback without TLS: let AUTH PLAIN go over the plain connection.
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _session, callback) {
      const login = options.login;
      if (login && auth.username === login.user && auth.password === login.pass) return callback(null, { user: auth.username });
      callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === 'string' ? session.user : null,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return { port, mails, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
