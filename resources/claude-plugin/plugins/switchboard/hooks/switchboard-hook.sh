#!/bin/sh
# Switchboard's hook: hands Claude Code's hook input (stdin) to the Switchboard on this machine and prints
# its answer. It never holds the terminal for a Switchboard that does not answer: every request is
# short (2 s to connect, 3 s for the first answer, 5 s for each poll after it), and a question the user
# has not answered yet is polled for (`{"pending":id}` means "still waiting, ask again"), so a frozen
# Switchboard is noticed within seconds. After one that did not answer, the hooks of the next 30 s go
# on at once. Switchboard not running, refusing the token, or silent: no output, exit 0, and Claude
# Code goes on as it would without it. The port and the hooks token are the plugin's options (the
# token a sensitive one); the token reaches curl through a file descriptor, never its command line.
[ -n "$CLAUDE_PLUGIN_OPTION_PORT" ] && [ -n "$CLAUDE_PLUGIN_OPTION_HOOKS_TOKEN" ] || exit 0
command -v curl >/dev/null 2>&1 || exit 0
base="http://127.0.0.1:${CLAUDE_PLUGIN_OPTION_PORT}/hooks"
mark="${CLAUDE_PLUGIN_DATA:-${TMPDIR:-/tmp}}/switchboard-unanswered"
now=$(date +%s)
if [ -f "$mark" ] && [ $((now - $(cat "$mark" 2>/dev/null || echo 0))) -lt 30 ]; then exit 0; fi

# One request: curl with the token from fd 3; the answer on stdout, or nothing.
ask() {
  curl -sf --noproxy '*' --connect-timeout 2 --max-time "$1" -K /dev/fd/3 \
    -H 'Content-Type: application/json' -H 'X-Switchboard-Poll: 1' --data-binary "$2" "$3" 3<<EOF_CONFIG
header = "Authorization: Bearer ${CLAUDE_PLUGIN_OPTION_HOOKS_TOKEN}"
EOF_CONFIG
  code=$?
  if [ "$code" = 28 ]; then mkdir -p "$(dirname "$mark")" 2>/dev/null; date +%s >"$mark" 2>/dev/null; fi
  return "$code"
}

out=$(ask 3 @- "$base/$1") || exit 0
while :; do
  case "$out" in
    '{"pending":"'*)
      id=${out#'{"pending":"'}
      id=${id%%'"'*}
      out=$(ask 5 '{}' "$base/wait/$id" </dev/null) || exit 0
      ;;
    *)
      rm -f "$mark" 2>/dev/null
      printf '%s' "$out"
      exit 0
      ;;
  esac
done
