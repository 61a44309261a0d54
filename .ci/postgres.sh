# Sourced by .ci/run (and usable by hand): a throwaway PostgreSQL cluster on 127.0.0.1.
# pg_start sets PG_URL; pg_stop stops the cluster and removes its folder.
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
# A free port unless one is given: another cluster may be running on this machine.
PG_PORT=${PG_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
PG_DIR=${PG_DIR:-$(mktemp -d /tmp/checkin-pg.XXXXXX)}

pg_start() {
  chown postgres "$PG_DIR" 2>/dev/null || true
  as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
  as_pg "$PG_BIN/initdb -D $PG_DIR/data -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null"
  as_pg "$PG_BIN/pg_ctl -D $PG_DIR/data -l $PG_DIR/log -o '-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c max_connections=200' -w start >/dev/null"
  as_pg "$PG_BIN/createdb -h 127.0.0.1 -p $PG_PORT -U postgres checkin_test"
  export PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/checkin_test"
  echo "PostgreSQL on $PG_URL"
}

pg_stop() {
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D $PG_DIR/data -m fast stop >/dev/null" || true
  else
    "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null || true
  fi
  rm -rf "$PG_DIR"
}
