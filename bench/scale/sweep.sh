# Sourced by bench/scale/run.sh and compare.sh: times the retention sweep of a portal just started
# with its daily jobs on, through its lease row in JobLeases (PSQL must be the caller's psql command).
#
# wait_for_sweep MAX_POLLS: polls every 0.1 s until the lease's day is marked done, then sets
# SWEEP_SECONDS, from the lease being taken to the day marked done (0 if it never was taken).
wait_for_sweep() {
  local start="" state
  for _ in $(seq 1 "$1"); do
    state="$("${PSQL[@]}" -c "SELECT coalesce(\"LockedBy\", '') || '|' || coalesce(\"LastCompletedOn\"::text, '') FROM \"JobLeases\" WHERE \"Name\" = 'retention.sweep'")"
    if [ -z "$start" ] && [ -n "${state%%|*}" ]; then start=$(date +%s.%N); fi
    if [ -n "${state#*|}" ]; then break; fi
    sleep 0.1
  done
  local end
  end=$(date +%s.%N)
  SWEEP_SECONDS="$(echo "$end - ${start:-$end}" | bc)"
}
