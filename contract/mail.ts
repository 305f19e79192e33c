import * as z from 'zod';
import { method } from './define';
import { emailAddress } from './fields';

/** What the mail server said to a message: who it took and who it refused. */
export interface MailSent {
  messageId: string;
  accepted: string[];
  rejected: string[];
  /** The server's own reply to the message (`250 2.0.0 Ok: queued as …`), shown after a test. */
  response: string;
}

export const mailMethods = {
  'mail.test': method<MailSent>()(
    z.object({ to: emailAddress }).strict(),
    'Send a short test message through the SMTP settings, to check them. The owner only.',
  ),
  'mail.setPassword': method<{ set: boolean }>()(
    z.object({ password: z.string().min(1, 'must not be empty').max(1000).nullable() }).strict(),
    "The SMTP password, kept with the secrets (never in the settings table); null forgets it. The owner only.",
  ),
  'mail.status': method<{ configured: boolean; passwordSet: boolean }>()(z.object({}).strict(), 'Whether mail can be sent: a server and a sender set, and whether a password is kept.'),
};
