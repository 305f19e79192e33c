import type { HandlersOf } from '../ipc/router';
import type { MailService } from './mail-service';

/** The mail methods; sending a test and setting the password are the owner's (the service checks). */
export function mailHandlers(mail: MailService): HandlersOf<'mail'> {
  return {
    'mail.test': ({ to }, ctx) => mail.test(to, ctx),
    'mail.setPassword': ({ password }, ctx) => mail.setPassword(password, ctx),
    'mail.status': () => mail.status(),
  };
}
