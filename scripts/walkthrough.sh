#!/usr/bin/env bash
# Book a demo studio through the gateway as the demo booker, pay, see it confirmed, cancel.
# Needs only curl and python3; `make run` must be running.
set -euo pipefail
API=${API:-http://127.0.0.1:8080}
STRIPE=${STRIPE:-http://127.0.0.1:12111}
field() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }

TOKEN=$(curl -s -X POST "$API/api/auth/sign-in" -H 'content-type: application/json' \
  -d '{"email": "booker@onetime.studio", "password": "demo-password-1"}' | field '["access_token"]')
STUDIO=$(curl -s "$API/api/studios?q=Berlin" | field '["items"][0]["id"]')
ROOM=$(curl -s "$API/api/studios/$STUDIO" | field '["rooms"][0]["id"]')
DAY=$(date -u -d "+$((RANDOM % 20 + 2)) days" +%Y-%m-%d)
START="${DAY}T10:00:00Z" END="${DAY}T12:00:00Z"
echo "free starts on $DAY (UTC):"
curl -s "$API/api/availability?studio_id=$STUDIO&room_id=$ROOM&from=${DAY}T00:00:00Z&to=${DAY}T23:59:00Z&duration_minutes=120" \
  | field '["slots"][:3]'

BOOKING=$(curl -s -X POST "$API/api/bookings" -H "Authorization: Bearer $TOKEN" \
  -H 'content-type: application/json' \
  -d "{\"studio_id\": \"$STUDIO\", \"room_id\": \"$ROOM\", \"starts_at\": \"$START\", \"ends_at\": \"$END\"}")
ID=$(echo "$BOOKING" | field '["id"]')
echo "booking $ID: $(echo "$BOOKING" | field '["status"]'), total $(echo "$BOOKING" | field '["price"]["total_minor"]') minor units"

# The booker's browser confirms the card with Stripe.js; here, the stand-in's helper does.
SECRET=$(echo "$BOOKING" | field '["client_secret"]')
curl -s -X POST "$STRIPE/_standin/payment_intents/${SECRET%%_secret_*}/confirm" \
  -d payment_method=pm_card_visa -d "client_secret=$SECRET" >/dev/null
for _ in $(seq 50); do
  STATUS=$(curl -s "$API/api/bookings/$ID" -H "Authorization: Bearer $TOKEN" | field '["status"]')
  [ "$STATUS" = confirmed ] && break
  sleep 0.2
done
echo "after the card: $STATUS"

CANCELLED=$(curl -s -X PATCH "$API/api/bookings/$ID" -H "Authorization: Bearer $TOKEN" \
  -H 'content-type: application/json' -d '{"action": "cancel"}')
echo "cancelled: $(echo "$CANCELLED" | field '["status"]'), refund $(echo "$CANCELLED" | field '["refund_minor"]') minor units"
