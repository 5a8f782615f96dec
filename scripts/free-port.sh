# Sourced by the scripts that start throwaway servers (pg.sh, nats.sh): free_port NAME prints a
# loopback port nothing listens on, or says NAME found none and exits.
free_port() {
  local port
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 40000))
    # Nothing answers there (bash's /dev/tcp connects; a refused connection means free).
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "$1: no free port found" >&2
  exit 1
}
