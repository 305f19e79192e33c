import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  HTTPError,
  Partials,
  PermissionFlagsBits,
  RateLimitError,
  type ChatInputCommandInteraction,
  type Guild,
  type Interaction,
  type Message,
  type NewsChannel,
  type TextChannel,
  type SendableChannels,
} from 'discord.js';
import type { AdapterHandlers, ChannelInfo, ChatAdapter, CommandSpec, IncomingFile, SendOptions } from '../chat/adapter';
import { DOWNLOAD_TIMEOUT_MS, SendFailure } from '../chat/adapter';
import { DISCORD_LIMIT, splitDiscordMarkdown, toDiscordMarkdown } from './discord-markdown';

/** A slash command's deferred reply ("Switchboard is thinking…") is filled by the next message to its channel within this long. */
const COMMAND_REPLY_MS = 10_000;
/** Rate limits up to this long are waited out by discord.js (it knows the buckets); longer ones go back to the outbox. */
const WAIT_IN_PLACE_MS = 5_000;

/** A failed REST call in the outbox's terms, in words a user can act on, with Discord's own kept for the log. */
export function discordFailure(error: unknown): SendFailure {
  if (error instanceof RateLimitError) return new SendFailure('rate_limited', `Discord rate limit on ${error.route}`, error.retryAfter);
  if (error instanceof DiscordAPIError) {
    const text = `${error.status} ${error.code}: ${error.message}`;
    if (error.status === 429) return new SendFailure('rate_limited', text, 1000);
    if (error.status >= 500) return new SendFailure('transient', text);
    if (error.code === 50013 || error.code === 50001) {
      return new SendFailure('refused', `Switchboard may not post in a channel (Discord: Missing ${error.code === 50001 ? 'Access' : 'Permissions'}). Give its role View Channel, Send Messages and Send Messages in Threads there.`);
    }
    if (error.code === 10008 || error.code === 10003 || error.code === 50007) return new SendFailure('gone', text);
    return new SendFailure('refused', text);
  }
  if (error instanceof HTTPError) return new SendFailure('transient', `Discord answered ${error.status}`);
  return new SendFailure('transient', `Discord could not be reached: ${error instanceof Error ? error.message : String(error)}`);
}

/** A person as the bridge names them: `Olivia (@olivia)`, or `@olivia` without a display name. */
function displayName(user: { globalName: string | null; username: string }): string {
  return user.globalName ? `${user.globalName} (@${user.username})` : `@${user.username}`;
}

/** Why the bot cannot run, in words a user can act on. */
export function discordConnectError(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  if (code === 'TokenInvalid' || code === 4004 || (error instanceof DiscordAPIError && error.status === 401)) {
    return 'Discord refused the bot token. Copy it again from the developer portal (Bot → Reset Token).';
  }
  if (code === 'DisallowedIntents' || code === 4014 || /disallowed intent/i.test(String((error as Error)?.message))) {
    return 'Discord refused the Message Content intent. Turn it on in the developer portal: Bot → Privileged Gateway Intents → Message Content Intent.';
  }
  if (error instanceof HTTPError || /ECONNREFUSED|ENOTFOUND|fetch failed|ETIMEDOUT/.test(String((error as Error)?.message))) {
    return `Discord could not be reached (no network, or the API address is wrong): ${(error as Error).message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Discord through discord.js 14: the gateway for messages, threads and interactions, REST for the rest
 * (discord.js keeps the rate-limit buckets and waits short limits out). Slash commands per server;
 * buttons as components. Transport only: what to answer is the bridge's.
 */
export class DiscordAdapter implements ChatAdapter {
  readonly surface = 'discord' as const;
  readonly limit = DISCORD_LIMIT;
  readonly typingMs = 10_000;
  private client: Client | null = null;
  private commands: CommandSpec[] = [];
  private readonly chains = new Map<string, Promise<void>>();
  /** Slash commands waiting for their answer, by channel: the next message there fills the deferred reply. */
  private readonly commandReplies = new Map<string, { interaction: ChatInputCommandInteraction; timer: NodeJS.Timeout }>();

  constructor(private readonly options: { token: string; apiRoot: string }) {}

  format(markdown: string): string[] {
    return splitDiscordMarkdown(toDiscordMarkdown(markdown), DISCORD_LIMIT);
  }

  plain(part: string): string {
    return part;
  }

  async start(handlers: AdapterHandlers): Promise<{ account: string }> {
    const client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent, GatewayIntentBits.DirectMessages],
      partials: [Partials.Channel],
      rest: { api: this.options.apiRoot.replace(/\/+$/, ''), rejectOnRateLimit: (limit) => limit.retryAfter > WAIT_IN_PLACE_MS },
      // Claude's text can say @everyone; it never pings anyone.
      allowedMentions: { parse: [] },
    });
    client.on(Events.MessageCreate, (message) => {
      if (message.author.id === client.user?.id || message.author.bot) return;
      this.inOrder(message.channelId, async () => handlers.message(await this.incoming(message, client)), handlers);
    });
    client.on(Events.InteractionCreate, (interaction) => {
      // A button is answered at once (Discord wants it within 3 s); commands wait their turn in the channel.
      if (interaction.isButton()) return void this.interaction(interaction, handlers).catch((error: unknown) => handlers.status('connected', String(error)));
      if (interaction.isChatInputCommand()) this.inOrder(interaction.channelId, () => this.interaction(interaction, handlers), handlers);
    });
    client.on(Events.GuildCreate, (guild) => void this.registerIn(guild).catch((error: unknown) => handlers.status('connected', `commands in ${guild.name}: ${String(error)}`)));
    client.on(Events.ShardDisconnect, (event) => this.client === client && handlers.status('error', discordConnectError({ code: event.code })));
    client.on(Events.ShardResume, () => handlers.status('connected'));
    client.on(Events.ShardReady, () => handlers.status('connected'));
    client.on(Events.Error, (error) => handlers.status('error', `${discordConnectError(error)}; reconnecting`));
    const ready = new Promise<void>((resolve, reject) => {
      client.once(Events.ClientReady, () => resolve());
      client.once(Events.ShardDisconnect, (event) => reject(Object.assign(new Error(`the gateway closed (${event.code})`), { code: event.code })));
    });
    ready.catch(() => {});
    try {
      await client.login(this.options.token);
      await ready;
    } catch (error) {
      await client.destroy().catch(() => {});
      throw new Error(discordConnectError(error), { cause: error });
    }
    this.client = client;
    const servers = client.guilds.cache.size;
    return { account: `${client.user!.tag} in ${servers} server${servers === 1 ? '' : 's'}` };
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    for (const { timer } of this.commandReplies.values()) clearTimeout(timer);
    this.commandReplies.clear();
    await client?.destroy();
  }

  async send(chatKey: string, text: string, options: SendOptions = {}): Promise<string> {
    const payload = { content: text, components: this.components(options) };
    try {
      const pending = this.commandReplies.get(chatKey);
      if (pending) {
        this.commandReplies.delete(chatKey);
        clearTimeout(pending.timer);
        return (await pending.interaction.editReply(payload)).id;
      }
      return (await (await this.channel(chatKey)).send(payload)).id;
    } catch (error) {
      throw discordFailure(error);
    }
  }

  async edit(chatKey: string, messageId: string, text: string, options: SendOptions = {}): Promise<void> {
    try {
      await (await this.channel(chatKey)).messages.edit(messageId, { content: text, components: this.components(options) });
    } catch (error) {
      throw discordFailure(error);
    }
  }

  async typing(chatKey: string): Promise<void> {
    await this.channel(chatKey)
      .then((channel) => channel.sendTyping())
      .catch(() => {});
  }

  async sendDocument(chatKey: string, fileName: string, content: Buffer, caption?: string): Promise<string> {
    try {
      return (await (await this.channel(chatKey)).send({ content: caption ?? '', files: [{ attachment: content, name: fileName }] })).id;
    } catch (error) {
      throw discordFailure(error);
    }
  }

  async download(file: IncomingFile): Promise<Buffer> {
    const response = await fetch(file.ref, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`Discord answered ${response.status} for the file`);
    return Buffer.from(await response.arrayBuffer());
  }

  /** Kept, and registered in every server the bot is in (now, and when it joins one). */
  async setCommands(commands: CommandSpec[]): Promise<void> {
    this.commands = commands;
    for (const guild of this.client?.guilds.cache.values() ?? []) await this.registerIn(guild);
  }

  channels(): ChannelInfo[] {
    const client = this.client;
    if (!client) return [];
    return [...client.channels.cache.values()]
      .filter((c): c is TextChannel | NewsChannel => c.type === ChannelType.GuildText || c.type === ChannelType.GuildAnnouncement)
      .map((c) => ({ key: c.id, name: c.name, place: c.guild.name }));
  }

  // ── incoming ──────────────────────────────────────────────────────────────────────────────────

  /** One channel's messages are handled in order (answers, queue places); channels run in parallel. */
  private inOrder(chatKey: string, work: () => Promise<void>, handlers: AdapterHandlers): void {
    const next = (this.chains.get(chatKey) ?? Promise.resolve()).then(work).catch((error: unknown) => handlers.status('connected', String(error)));
    this.chains.set(chatKey, next);
    void next.finally(() => this.chains.get(chatKey) === next && this.chains.delete(chatKey));
  }

  private async incoming(message: Message, client: Client) {
    const me = client.user!.id;
    const channel = message.channel;
    const isPrivate = channel.type === ChannelType.DM;
    const replyToBot = message.reference?.messageId ? (await message.fetchReference().catch(() => null))?.author.id === me : false;
    const files: IncomingFile[] = [...message.attachments.values()].map((a) => ({
      kind: a.contentType?.startsWith('image/') ? 'photo' : a.contentType?.startsWith('audio/') ? 'voice' : 'document',
      ref: a.url,
      name: a.name,
      mime: a.contentType ?? null,
    }));
    return {
      chatKey: channel.id,
      private: isPrivate,
      userId: message.author.id,
      userName: displayName(message.author),
      // The bot's mention is how it was called, not part of what was said.
      text: message.content.replace(new RegExp(`<@!?${me}>`, 'g'), '').trim(),
      addressed: isPrivate || message.mentions.users.has(me) || replyToBot,
      files,
      ...(replyToBot ? { replyTo: message.reference!.messageId! } : {}),
      ...(channel.isThread() && channel.parentId ? { parentKey: channel.parentId } : {}),
      ...('name' in channel && channel.name ? { chatName: channel.name } : {}),
    };
  }

  private async interaction(interaction: Interaction, handlers: AdapterHandlers): Promise<void> {
    if (interaction.isButton()) {
      return handlers.press({
        chatKey: interaction.channelId,
        messageId: interaction.message.id,
        userId: interaction.user.id,
        userName: displayName(interaction.user),
        data: interaction.customId,
        acknowledge: async (text) => {
          if (text) await interaction.reply({ content: text, flags: 'Ephemeral' });
          else await interaction.deferUpdate();
        },
      });
    }
    if (!interaction.isChatInputCommand()) return;
    const spec = this.commands.find((c) => c.name === interaction.commandName);
    if (spec?.moderated && interaction.inGuild() && !interaction.memberPermissions?.has(PermissionFlagsBits.ManageMessages)) {
      return void (await interaction.reply({ content: `/${spec.name} is for people who may manage messages in this server.`, flags: 'Ephemeral' }));
    }
    // Discord wants an answer within 3 s: "thinking…" now, filled by the bridge's answer (the next message to this channel).
    await interaction.deferReply();
    const timer = setTimeout(() => {
      if (this.commandReplies.get(interaction.channelId)?.interaction !== interaction) return;
      this.commandReplies.delete(interaction.channelId);
      void interaction.editReply('✓').catch(() => {});
    }, COMMAND_REPLY_MS);
    timer.unref();
    this.commandReplies.set(interaction.channelId, { interaction, timer });
    const argument = spec?.argument ? interaction.options.getString(spec.argument.name) : null;
    const channel = interaction.channel;
    await handlers.message({
      chatKey: interaction.channelId,
      private: !interaction.inGuild(),
      userId: interaction.user.id,
      userName: displayName(interaction.user),
      text: `/${interaction.commandName}${argument ? ` ${argument}` : ''}`,
      addressed: true,
      files: [],
      slash: true,
      ...(channel?.isThread() && channel.parentId ? { parentKey: channel.parentId } : {}),
    });
  }

  // ── helpers ───────────────────────────────────────────────────────────────────────────────────

  private async registerIn(guild: Guild): Promise<void> {
    if (!this.commands.length) return;
    await guild.commands.set(
      this.commands.map((c) => ({
        name: c.name,
        description: c.description.slice(0, 100),
        ...(c.moderated ? { defaultMemberPermissions: PermissionFlagsBits.ManageMessages } : {}),
        options: c.argument ? [{ type: ApplicationCommandOptionType.String, name: c.argument.name, description: c.argument.description.slice(0, 100), required: false }] : [],
      })),
    );
  }

  private async channel(chatKey: string): Promise<SendableChannels & { messages: Message['channel']['messages'] }> {
    if (!this.client) throw new SendFailure('transient', 'the Discord bot is not running');
    const channel = this.client.channels.cache.get(chatKey) ?? (await this.client.channels.fetch(chatKey));
    if (!channel?.isSendable()) throw new SendFailure('gone', `channel ${chatKey} is gone or not a text channel`);
    return channel as SendableChannels & { messages: Message['channel']['messages'] };
  }

  private components(options: SendOptions) {
    return (options.buttons ?? []).slice(0, 5).map((row) =>
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        row.slice(0, 5).map((b, i) =>
          new ButtonBuilder()
            .setCustomId(b.data.slice(0, 100))
            .setLabel(b.label.slice(0, 80))
            .setStyle(/deny/i.test(b.label) ? ButtonStyle.Danger : i === 0 ? ButtonStyle.Primary : ButtonStyle.Secondary),
        ),
      ),
    );
  }
}
