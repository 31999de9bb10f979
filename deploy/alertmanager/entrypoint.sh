#!/bin/sh
# Alertmanager with the stack's configuration: ALERT_WEBHOOK_URL goes to the file the webhook
# receiver reads (it holds a token), or, when it is empty, the route goes to the "none" receiver.
# Arguments are passed on to alertmanager (the binary is ALERTMANAGER, default /bin/alertmanager
# as in the official image; the configuration ALERTMANAGER_CONFIG, default the one beside this).
set -eu
state=${ALERTMANAGER_STATE:-/tmp/alertmanager}
mkdir -p "$state"
config=${ALERTMANAGER_CONFIG:-$(dirname "$0")/alertmanager.yml}
if [ -n "${ALERT_WEBHOOK_URL:-}" ]; then
  (umask 077 && printf '%s' "$ALERT_WEBHOOK_URL" > "$state/webhook-url")
  sed "s|/tmp/alertmanager/webhook-url|$state/webhook-url|" "$config" > "$state/alertmanager.yml"
else
  sed 's/^  receiver: webhook$/  receiver: none/' "$config" > "$state/alertmanager.yml"
fi
exec "${ALERTMANAGER:-/bin/alertmanager}" --config.file="$state/alertmanager.yml" "$@"
