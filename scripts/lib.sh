# lib.sh: shell helpers shared by the demo and the test drivers (source it).

# wait_for_line FILE SED_SCRIPT: wait up to 10 s for `sed -n SED_SCRIPT FILE`
# to print something (a service announcing its address), then print it.
# Returns 1 when nothing came.
wait_for_line() {
  local v
  for _ in $(seq 1 100); do
    v=$(sed -n "$2" "$1")
    if [ -n "$v" ]; then
      echo "$v"
      return 0
    fi
    sleep 0.1
  done
  return 1
}
