import * as z from 'zod';
import { event, method } from './define';
import { folderPath } from './fields';

/** A note for the user from Claude or a script: on the desktop, and to their chat with each connected bot (Telegram, Discord). */
export interface UserNote {
  title: string;
  text: string;
  /** A file to hand over with it (sent as a document where the surface can). */
  filePath: string | null;
  /** Who sent it: `mcp:<client>`, `session:<id>`… */
  from: string;
  at: number;
  /** A terminal's notification: its kind as Claude Code names it (`permission_prompt`, `idle_prompt`…). */
  notificationType?: string | null;
}

/** Where a note went: the surfaces that took it (`desktop`, `browser`, `telegram`, `discord`); empty when none could. */
export interface NoteDelivery {
  delivered: string[];
}

/** What the user answered, or that nobody did in time. */
export interface UserAnswer {
  answer: string | null;
  timedOut: boolean;
  /** The person who answered, as an actor (`desktop`, `telegram:<id>`). */
  answeredBy: string | null;
  /** The surface it came from. */
  via: string | null;
}

export const userMethods = {
  'user.notify': method<NoteDelivery>()(
    z
      .object({
        text: z.string().trim().min(1, 'must not be empty').max(4000),
        title: z.string().trim().min(1).max(200).default('A note from Claude'),
        filePath: folderPath.optional(),
      })
      .strict(),
    'Tell the user something: a desktop notification and a message in their private chat with each connected bot, Telegram and Discord (a file too, when given: a regular file of at most 50 MB, never from Switchboard’s data folder nor Claude Code’s credentials, symlinks followed to decide).',
  ),
  'user.ask': method<UserAnswer>()(
    z
      .object({
        question: z.string().trim().min(1, 'must not be empty').max(2000),
        choices: z.array(z.string().trim().min(1).max(100)).max(10).default([]),
        timeoutSeconds: z.number().int().min(5).max(3600).default(300),
      })
      .strict(),
    'Ask the user and wait: in the window and on Telegram and Discord where connected, with the choices as buttons (or typed: a reply to the question); null past the timeout.',
  ),
};

export const userEvents = {
  'user.note': event<UserNote>('A note for the user from Claude or a script.'),
};
