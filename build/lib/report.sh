# shellcheck shell=bash
# Tier results for build/test: each tier ends with one line `<tier>: N passed, N failed` (a tier
# that runs in each environment of the matrix names it: `woocommerce[php8.4 wp6.8 wc10.5]`), and the
# run ends with the same lines again and `total: N passed, N failed`. Sourced after common.sh.

MC_TIERS=()
declare -A MC_TIER_PASSED=() MC_TIER_FAILED=() MC_TIER_SECONDS=()

# tier_report NAME PASSED FAILED SECONDS — prints and records the tier's line.
tier_report() {
  MC_TIERS+=("$1")
  MC_TIER_PASSED[$1]=$2
  MC_TIER_FAILED[$1]=$3
  MC_TIER_SECONDS[$1]=$4
  printf '%s: %d passed, %d failed\n' "$1" "$2" "$3"
  # A build/test started by another one (the newest-php environment's) hands its results back.
  [[ -z "${MIRAKL_RESULTS_FILE:-}" ]] || printf '%s\t%d\t%d\t%d\n' "$1" "$2" "$3" "$4" >>"$MIRAKL_RESULTS_FILE"
}

# env_report NAME SECONDS — records how long an environment of the matrix took (its tiers, with the
# set-up they needed), for the summary.
MC_ENV_TIMES=()
env_report() {
  MC_ENV_TIMES+=("environment $1: $2 s")
  mc_log "environment $1 took $2 s"
}

# report_summary — the tier lines again, then the total; returns 1 when anything failed.
report_summary() {
  local tier passed=0 failed=0
  printf '\n==================== summary ====================\n'
  for tier in "${MC_TIERS[@]}"; do
    printf '%s: %d passed, %d failed (%d s)\n' "$tier" "${MC_TIER_PASSED[$tier]}" "${MC_TIER_FAILED[$tier]}" "${MC_TIER_SECONDS[$tier]}"
    passed=$((passed + MC_TIER_PASSED[$tier]))
    failed=$((failed + MC_TIER_FAILED[$tier]))
  done
  ((${#MC_ENV_TIMES[@]} == 0)) || printf '%s\n' "${MC_ENV_TIMES[@]}"
  printf 'total: %d passed, %d failed\n' "$passed" "$failed"
  ((failed == 0))
}

# cargo_test_counts LOG — "PASSED FAILED" summed over every `test result:` line of cargo's output.
cargo_test_counts() {
  awk '/^test result: / {
         for (i = 1; i <= NF; i++) {
           if ($i ~ /^passed;?$/) p += $(i - 1)
           if ($i ~ /^failed;?$/) f += $(i - 1)
         }
       }
       END { printf "%d %d\n", p, f }' "$1"
}

# junit_counts FILE — "PASSED FAILED SKIPPED" from a PHPUnit --log-junit file (errors and
# warnings count as failed; "0 0 0" when the file is missing or empty).
junit_counts() {
  "$MC_PHP" -r '
    $file = $argv[1];
    $xml = is_file($file) && filesize($file) > 0 ? @simplexml_load_file($file) : false;
    $suite = $xml && isset($xml->testsuite) ? $xml->testsuite[0] : null;
    if (!$suite) { echo "0 0 0\n"; exit; }
    $n = fn ($k) => (int) ($suite[$k] ?? 0);
    $failed = $n("failures") + $n("errors") + $n("warnings");
    $skipped = $n("skipped");
    printf("%d %d %d\n", max(0, $n("tests") - $failed - $skipped), $failed, $skipped);
  ' "$1"
}
