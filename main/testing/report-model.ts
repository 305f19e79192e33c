import { lastUserText, type FakeAnthropic, type RecordedRequest, type Reply } from './fake-anthropic';

/** The output folder a session was told of in its system prompt (the sentence run-output's attachmentNote writes). */
export function toldFolder(request: RecordedRequest): string | undefined {
  return /Files you write into (.+?) reach the user/.exec(JSON.stringify(request.body.system ?? ''))?.[1];
}

/**
 * The model of scheduled work that reports, or of a background task: it writes `file` into the output
 * folder its system prompt names, leaves the next prompt when given one (set_next_prompt), then answers.
 */
export function reportModel(api: FakeAnthropic, options: { file: { name: string; content: string }; nextPrompt?: string; answer: string | Extract<Reply, { kind: 'text' }> }): void {
  api.respond((request: RecordedRequest) => {
    const messages = request.body.messages ?? [];
    const lastAssistant = [...messages].reverse().find((m) => m.role === 'assistant');
    const lastTool = Array.isArray(lastAssistant?.content) ? (lastAssistant.content.find((b) => b.type === 'tool_use') as { name?: string } | undefined)?.name : undefined;
    if (lastUserText(request) !== '[tool_result]') return { kind: 'tool', name: 'Write', input: { file_path: `${toldFolder(request)}/${options.file.name}`, content: options.file.content } };
    if (lastTool === 'Write' && options.nextPrompt) return { kind: 'tool', name: 'mcp__switchboard__set_next_prompt', input: { text: options.nextPrompt } };
    return typeof options.answer === 'string' ? { kind: 'text', text: options.answer } : options.answer;
  });
}
