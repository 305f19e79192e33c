/**
 * Splits a server's invalid_input message ("cron: minute: 61 is outside 0-59; timeoutSeconds: must
 * be a number") into one message per field, so each shows under its own control.
 */
export function errorsByField(message: string | null, fields: readonly string[]): { byField: Record<string, string>; rest: string[] } {
  const byField: Record<string, string> = {};
  const rest: string[] = [];
  if (!message) return { byField, rest };
  for (const part of message.split('; ')) {
    const match = /^([A-Za-z][\w.]*): (.*)$/s.exec(part);
    const field = match ? fields.find((f) => match[1] === f || match[1]!.startsWith(`${f}.`)) : undefined;
    if (field && match) byField[field] = (byField[field] ? `${byField[field]}; ` : '') + match[2]!;
    else rest.push(part);
  }
  return { byField, rest };
}

/** The message with each field's name replaced by its label as the form shows it ("Timeout (s): must be a number"). */
export function inLabels(message: string, labels: Record<string, string>): string {
  return message
    .split('; ')
    .map((part) => {
      const match = /^([A-Za-z][\w.]*): (.*)$/s.exec(part);
      if (!match) return part;
      const key = Object.keys(labels).find((f) => match[1] === f || match[1]!.startsWith(`${f}.`));
      return key ? `${labels[key]}: ${match[2]}` : part;
    })
    .join('; ');
}
