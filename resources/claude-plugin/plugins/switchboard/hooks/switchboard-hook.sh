#!/bin/sh
# Switchboard's hook: hands Claude Code's hook input (stdin) to the Switchboard on this machine and prints
# its answer. It never holds the terminal for a Switchboard that does not answer: every request is
# short (2 s to connect, 3 s for the first answer, 5 s for each poll after it), and a question the user
# has not answered yet is polled for (`{"pending":id}` means "still waiting, ask again"), so a frozen
# Switchboard is noticed within seconds. After one that did not answer, the hooks of the next 30 s go
# on at once. Switchboard not running, refusing the token, or silent: no output, exit 0, and Claude
# Code goes on as it would without it. The port and the hooks token are the plugin's options (the
# token a sensitive one); without a plugin (hooks in Claude Code's settings) they are the two lines of
# `connection` beside this script, a 0600 file in Switchboard's data folder. The token reaches curl
# through a file descriptor, never its command line. Claude Code runs it in exec form (`sh` and this
# file, no shell in between); the common path starts no program but curl.
# A note that needs no answer (a notification; a stop while *Reply to continue* is off, which
# Switchboard keeps in `reply-window` in its hook folder, the `hook_folder` option or this script's
# folder) is sent in the background: the hook exits at once and never holds the terminal. So is the stop
# of a session nobody sits at (`claude -p` in a script): Claude Code 2.1.329 tells its hooks so with
# CLAUDE_CODE_SESSION_ATTENDED=0 (1 in the TUI, and for an IDE's or the desktop app's sessions); the
# stop's JSON carries nothing that says it. Held for a reply, the script would print the continued answer.
port=$CLAUDE_PLUGIN_OPTION_PORT
token=$CLAUDE_PLUGIN_OPTION_HOOKS_TOKEN
here=${0%/*}
folder=${CLAUDE_PLUGIN_OPTION_HOOK_FOLDER:-$here}
if [ -z "$port" ] && [ -r "$here/connection" ]; then
  { read -r port; read -r token; } <"$here/connection"
fi
[ -n "$port" ] && [ -n "$token" ] || exit 0
command -v curl >/dev/null 2>&1 || exit 0
base="http://127.0.0.1:${port}/hooks"
mark="${CLAUDE_PLUGIN_DATA:-$here}/switchboard-unanswered"
# Only after a Switchboard that did not answer: is that less than 30 s ago?
if [ -f "$mark" ] && [ $(($(date +%s) - $(cat "$mark" 2>/dev/null || echo 0))) -lt 30 ]; then exit 0; fi

# One request: curl with the token from fd 3; the answer on stdout, or nothing.
ask() {
  curl -sf --noproxy '*' --connect-timeout 2 --max-time "$1" -K /dev/fd/3 \
    -H 'Content-Type: application/json' -H 'X-Switchboard-Poll: 1' --data-binary "$2" "$3" 3<<EOF_CONFIG
header = "Authorization: Bearer ${token}"
EOF_CONFIG
  code=$?
  if [ "$code" = 28 ]; then mkdir -p "${mark%/*}" 2>/dev/null; date +%s >"$mark" 2>/dev/null; fi
  return "$code"
}

# Nothing to wait for: the note goes in the background (stdin kept for it, output to nowhere) and the
# terminal goes on now. No `reply-window` file (an older Connect): Switchboard is asked, as before.
detach=
case $1 in
  notification) detach=1 ;;
  stop)
    if [ "${CLAUDE_CODE_SESSION_ATTENDED-}" = 0 ]; then detach=1
    elif [ -r "$folder/reply-window" ] && read -r window <"$folder/reply-window" && [ "$window" = 0 ]; then detach=1; fi ;;
esac
if [ -n "$detach" ]; then
  exec 4<&0
  ask 3 @- "$base/$1?detached=1" <&4 >/dev/null 2>&1 4<&- &
  exit 0
fi

out=$(ask 3 @- "$base/$1") || exit 0
while :; do
  case "$out" in
    '{"pending":"'*)
      id=${out#'{"pending":"'}
      id=${id%%'"'*}
      out=$(ask 5 '{}' "$base/wait/$id" </dev/null) || exit 0
      ;;
    *)
      [ -f "$mark" ] && rm -f "$mark" 2>/dev/null
      printf '%s' "$out"
      exit 0
      ;;
  esac
done
