import type { ChatSurface, JobInput } from '../../../../contract';

type Delivery = JobInput['delivery'];

/** Where a job's result goes on one chat app: '' (nowhere), 'owner', or a channel's id. */
export function chatTarget(delivery: Delivery, surface: ChatSurface): string {
  return delivery.chats.find((c) => c.surface === surface)?.target ?? '';
}

/** The delivery with one chat app's target set ('' removes it), the others kept. */
export function withChatTarget(delivery: Delivery, surface: ChatSurface, target: string): Delivery {
  const others = delivery.chats.filter((c) => c.surface !== surface);
  return { ...delivery, chats: target ? [...others, { surface, target }] : others };
}
