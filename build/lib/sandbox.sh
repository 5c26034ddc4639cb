# shellcheck shell=bash
# The Mirakl sandbox (tests/sandbox, binary mirakl-sandbox) beside the dev site. Sourced after
# common.sh and extension.sh.
#
#   sandbox_build               cargo build -p mirakl-sandbox; sets MC_SANDBOX_BIN (returns 1 if it fails)
#   sandbox_start LOG_DIR KEY [CONFIG_JSON_FILE]
#                               starts it on a free loopback port; sets MC_SANDBOX_ADDR, MC_SANDBOX_PID
#   sandbox_stop

MC_SANDBOX_BIN=""
MC_SANDBOX_ADDR=""
MC_SANDBOX_PID=""

sandbox_build() {
  # A build/test started by another one gets the sandbox that one built (MIRAKL_TEST_SANDBOX_BIN).
  if [[ -n "${MIRAKL_TEST_SANDBOX_BIN:-}" && -x "$MIRAKL_TEST_SANDBOX_BIN" ]]; then
    MC_SANDBOX_BIN="$MIRAKL_TEST_SANDBOX_BIN"
    return 0
  fi
  mc_log "building the Mirakl sandbox: cargo build -p mirakl-sandbox --bin mirakl-sandbox"
  (cd "$MC_ROOT" && cargo build -p mirakl-sandbox --bin mirakl-sandbox) || return 1
  MC_SANDBOX_BIN="$(mc_target_dir)/debug/mirakl-sandbox"
  [[ -x "$MC_SANDBOX_BIN" ]]
}

# The sandbox prints its bound address (HOST:PORT) as the first line on stdout.
sandbox_start() {
  local logs=$1 key=$2 config=${3:-} out i first args=()
  out="$logs/sandbox.out"
  : >"$out"
  [[ -z "$config" ]] || args=(--config "$config")
  setsid "$MC_SANDBOX_BIN" --addr 127.0.0.1:0 --api-key "$key" "${args[@]}" >"$out" 2>"$logs/sandbox.log" </dev/null &
  MC_SANDBOX_PID=$!
  for ((i = 0; i < 300; i++)); do
    first="$(head -n 1 "$out")"
    if [[ "$first" =~ ^([0-9.]+:[0-9]+)$ ]]; then
      MC_SANDBOX_ADDR="${BASH_REMATCH[1]}"
      mc_log "Mirakl sandbox listening on $MC_SANDBOX_ADDR"
      return 0
    fi
    if ! kill -0 "$MC_SANDBOX_PID" 2>/dev/null; then
      mc_warn "the sandbox exited at start-up: $(tail -n 5 "$logs/sandbox.log")"
      MC_SANDBOX_PID=""
      return 1
    fi
    sleep 0.1
  done
  mc_warn "the sandbox printed no address in 30 s (first line: '$first')"
  return 1
}

sandbox_stop() {
  if [[ -n "$MC_SANDBOX_PID" ]]; then
    kill -- "-$MC_SANDBOX_PID" 2>/dev/null || kill "$MC_SANDBOX_PID" 2>/dev/null || true
    wait "$MC_SANDBOX_PID" 2>/dev/null || true
    MC_SANDBOX_PID=""
  fi
}
