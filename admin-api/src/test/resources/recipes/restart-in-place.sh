#!/usr/bin/env bash
# Restart a service in place behind holdport: pause, restart the backend, resume.
# Clients connecting meanwhile wait (they are held), then reach the new process: a short
# delay, never a refused or reset connection.
#
# Settings (environment):
#   HOLDPORT_ADMIN_URL    admin API URL              (default http://127.0.0.1:9900)
#   HOLDPORT_ADMIN_TOKEN  bearer token, if holdport has one
#   ROUTE                 the route to pause         (default: every route)
#   STOP_BACKEND          shell command that stops the running backend     (required)
#   START_BACKEND         shell command that starts the new backend        (required)
#
# holdport retries a backend that refuses connections for backend.retry-refused-for (10s by
# default), so resuming right after START_BACKEND is safe even if the new process is still
# starting. If anything fails while paused, the script resumes anyway and exits non-zero:
# a failed deploy must not leave clients held.
set -euo pipefail

admin=${HOLDPORT_ADMIN_URL:-http://127.0.0.1:9900}
scope=${ROUTE:+/routes/$ROUTE}
: "${STOP_BACKEND:?set STOP_BACKEND to the command that stops the backend}"
: "${START_BACKEND:?set START_BACKEND to the command that starts the backend}"

holdport() { # holdport ACTION: POST to the admin API; on an error, show holdport's answer
  local answer
  if ! answer=$(curl --silent --show-error --fail-with-body -X POST \
      ${HOLDPORT_ADMIN_TOKEN:+-H "Authorization: Bearer $HOLDPORT_ADMIN_TOKEN"} "$admin$scope/$1"); then
    echo "holdport $1 failed: $answer" >&2
    return 1
  fi
}

holdport pause
echo "paused${ROUTE:+ route $ROUTE}: new connections are held"
trap 'echo "restart failed: resuming so clients are not left held" >&2; holdport resume' ERR

bash -c "$STOP_BACKEND"
echo "old backend stopped"
bash -c "$START_BACKEND"
echo "new backend started"

trap - ERR
holdport resume
echo "resumed: held connections released to the new backend"
