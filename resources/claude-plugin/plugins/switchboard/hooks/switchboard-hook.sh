#!/bin/sh
# Switchboard's hook: hands Claude Code's hook input (stdin) to the Switchboard on this machine and prints
# its answer. It never holds the terminal for a Switchboard that does not answer: 2 s to connect, and
# the request ends once less than a byte a second has arrived for 5 s (a Switchboard that is waiting
# for the user sends a heartbeat every second; a frozen one sends nothing). Switchboard not running,
# refusing the token, or silent: no output, exit 0, and Claude Code goes on as it would without it.
# The port and the hooks token are the plugin's options (the token a sensitive one); the token goes to
# curl through a file descriptor, never on its command line.
[ -n "$CLAUDE_PLUGIN_OPTION_PORT" ] && [ -n "$CLAUDE_PLUGIN_OPTION_HOOKS_TOKEN" ] || exit 0
command -v curl >/dev/null 2>&1 || exit 0
curl -sf --noproxy '*' --connect-timeout 2 --speed-limit 1 --speed-time 5 --max-time 3650 \
  -K /dev/fd/3 -H 'Content-Type: application/json' --data-binary @- \
  "http://127.0.0.1:${CLAUDE_PLUGIN_OPTION_PORT}/hooks/$1" 3<<EOF_CONFIG
header = "Authorization: Bearer ${CLAUDE_PLUGIN_OPTION_HOOKS_TOKEN}"
EOF_CONFIG
exit 0
