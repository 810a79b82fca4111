#!/usr/bin/env bash
# Roll forward (or back) between install slots: start the new version in slot SLOT, switch
# holdport to it, let relays to the old slot drain, then stop the old slot.
# Rolling back is the same command with the other slot.
#
#   ab-switch.sh SLOT
#
# Settings (environment):
#   HOLDPORT_ADMIN_URL    admin API URL              (default http://127.0.0.1:9900)
#   HOLDPORT_ADMIN_TOKEN  bearer token, if holdport has one
#   ROUTE                 the route                  (default web)
#   START_SLOT            shell command that starts slot $SLOT's process   (required)
#   CHECK_SLOT            shell command that succeeds once it is healthy   (optional)
#   STOP_SLOT             shell command that stops slot $OLD_SLOT's process (required)
#   DRAIN_TIMEOUT         how long old relays may finish (default 30s)
# The commands see SLOT (the new slot) and OLD_SLOT (the slot switched away from).
set -euo pipefail

export SLOT=${1:?usage: ab-switch.sh SLOT}
admin=${HOLDPORT_ADMIN_URL:-http://127.0.0.1:9900}
route=${ROUTE:-web}
: "${START_SLOT:?set START_SLOT to the command that starts a slot}"
: "${STOP_SLOT:?set STOP_SLOT to the command that stops a slot}"

holdport() { # holdport METHOD ACTION [QUERY]: call the admin API, print its JSON answer
  local answer
  if ! answer=$(curl --silent --show-error --fail-with-body -X "$1" \
      ${HOLDPORT_ADMIN_TOKEN:+-H "Authorization: Bearer $HOLDPORT_ADMIN_TOKEN"} "$admin/routes/$route/$2${3:+?$3}"); then
    echo "holdport $2 failed: $answer" >&2
    return 1
  fi
  printf '%s\n' "$answer"
}
active_slot() { # the route's active slot, read from its status (pretty-printed JSON)
  holdport GET status | sed -n 's/^  "active" : "\(.*\)",$/\1/p'
}

export OLD_SLOT
OLD_SLOT=$(active_slot)
if [ "$OLD_SLOT" = "$SLOT" ]; then
  echo "route $route already uses slot $SLOT"
  exit 0
fi

bash -c "$START_SLOT"
echo "slot $SLOT started"
if [ -n "${CHECK_SLOT:-}" ]; then
  for _ in $(seq 1 100); do
    if bash -c "$CHECK_SLOT"; then break; fi
    sleep 0.2
  done
  bash -c "$CHECK_SLOT" || { echo "slot $SLOT is not healthy: not switching" >&2; exit 1; }
  echo "slot $SLOT is healthy"
fi

holdport POST switch "slot=$SLOT" > /dev/null
echo "switched route $route from slot $OLD_SLOT to slot $SLOT: new connections go to $SLOT"

drain=$(holdport POST drain "timeout=${DRAIN_TIMEOUT:-30s}")
if [ "$(sed -n 's/^ *"drained" : \(true\|false\).*/\1/p' <<< "$drain")" = true ]; then
  echo "slot $OLD_SLOT drained"
else
  echo "slot $OLD_SLOT still had $(sed -n 's/^ *"remaining" : \([0-9]*\).*/\1/p' <<< "$drain") relays after the drain timeout" >&2
fi

bash -c "$STOP_SLOT"
echo "slot $OLD_SLOT stopped; roll back with: ab-switch.sh $OLD_SLOT"
