#!/usr/bin/env bash
# Make sure the local PostgreSQL and RabbitMQ answer; start them when they are installed but down.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {  # name port seconds
  for _ in $(seq "$3"); do port_open "$2" && return 0; sleep 1; done
  echo "$1 did not come up on port $2" >&2; return 1
}

if ! port_open 5432; then
  if command -v pg_ctlcluster >/dev/null; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
    wait_for PostgreSQL 5432 30
  else
    echo "PostgreSQL is not reachable on 127.0.0.1:5432 and not installed here;" \
         "set TEST_POSTGRES_URL or install Docker for testcontainers" >&2
  fi
fi

if ! port_open 5672; then
  if command -v rabbitmq-server >/dev/null; then
    echo "starting RabbitMQ"
    rabbitmq-server -detached
    wait_for RabbitMQ 5672 90
  else
    echo "RabbitMQ is not reachable on 127.0.0.1:5672 and not installed here;" \
         "set TEST_RABBIT_URL or install Docker for testcontainers" >&2
  fi
fi
