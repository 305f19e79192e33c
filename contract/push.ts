import * as z from 'zod';
import { method } from './define';

/** A browser subscribed to Web Push: the push service it goes through, its name, when it last took a push. */
export interface PushDevice {
  endpoint: string;
  name: string;
  /** The push service's host (fcm.googleapis.com, updates.push.services.mozilla.com, web.push.apple.com…). */
  service: string;
  createdAt: number;
  lastUsedAt: number | null;
  /** The last delivery's failure, in words; null when it went through. */
  lastError: string | null;
}

const base64url = (max: number) => z.string().min(1).max(max).regex(/^[A-Za-z0-9_-]+=*$/, 'must be base64url');

/** The browser's `PushSubscription.toJSON()`. */
export const pushSubscriptionSchema = z.object({
  endpoint: z
    .string()
    .max(2000)
    .url()
    .refine((u) => u.startsWith('https://'), 'must be an https address of a push service'),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({ p256dh: base64url(200), auth: base64url(100) }).strict(),
});

export const pushMethods = {
  'push.key': method<{ publicKey: string }>()(z.object({}).strict(), 'The VAPID public key a browser subscribes with (applicationServerKey).'),
  'push.subscribe': method<PushDevice>()(
    z.object({ subscription: pushSubscriptionSchema, name: z.string().trim().min(1, 'must not be empty').max(100) }).strict(),
    'Send what needs you (questions, stops in their reply window, failures) to this browser as Web Push, while you are not at a window. The window only.',
  ),
  'push.list': method<PushDevice[]>()(z.object({}).strict(), 'The browsers subscribed to Web Push.'),
  'push.remove': method<{ removed: boolean }>()(z.object({ endpoint: z.string().min(1).max(2000) }).strict(), 'Stop sending pushes to a browser.'),
  'push.test': method<{ sent: number; failed: { name: string; error: string }[] }>()(
    z.object({ endpoint: z.string().min(1).max(2000).optional() }).strict(),
    'Send a test push to one browser, or to all.',
  ),
  'push.presence': method<{ active: boolean }>()(
    z.object({ visible: z.boolean() }).strict(),
    'A window says it is in front of the user (or no longer is): pushes wait while someone is at a window.',
  ),
};
