# Sourced by the shell tests: `check WHAT COMMAND...` runs COMMAND, prints "ok   WHAT" or "FAIL WHAT" and counts it
# in $passed or $failed. When CHECK_STAMP names a command, its output (taken before COMMAND runs) ends each line: the
# real-kernel guest stamps its uptime there, so a slow step shows where a boot spends its time.
passed=0
failed=0
check() {
    local what=$1 stamp=""
    shift
    if [ -n "${CHECK_STAMP:-}" ]; then stamp=" [$("$CHECK_STAMP") s]"; fi
    if "$@"; then passed=$((passed + 1)); echo "ok   $what$stamp"; else failed=$((failed + 1)); echo "FAIL $what$stamp"; fi
}
