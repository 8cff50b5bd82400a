# Processes, from /proc only: nothing here looks a process up by name.
# Sourced by scripts/stack, scripts/cluster and scripts/scaling.

# The pids whose parent is $1, one per line.
children_of() {
    local parent=$1 stat rest fields
    for stat in /proc/[0-9]*/stat; do
        read -r rest < "$stat" 2>/dev/null || continue
        rest=${rest##*) }                     # the fields after "(command) "
        read -r -a fields <<< "$rest"         # state, ppid, ...
        [ "${fields[1]:-}" = "$parent" ] && echo "${stat//[^0-9]/}"
    done
    return 0
}

# Whether pid $1 runs (a zombie waiting for its reaper does not).
running() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    [[ "${stat##*) }" != Z* ]]
}

# Whether any of the pids given runs.
any_running() {
    local pid
    for pid in "$@"; do running "$pid" && return 0; done
    return 1
}

# Waits until `$1` succeeds, up to $2 tenths of a second.
wait_for() {
    local tries=$2
    until eval "$1"; do
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || return 1
        sleep 0.1
    done
}
