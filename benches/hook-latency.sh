#!/usr/bin/env bash
# What autovenv adds to a prompt and to a `cd`, measured beside direnv, mise
# and "the floor" (a hook that starts a tiny Rust binary and evaluates the one
# line it prints: the least any design that runs a program can cost), in
# interactive bash, zsh and fish. docs/performance.md holds the latest table
# and explains the method.
#
# Usage: benches/hook-latency.sh [compare] [scaling] [--quick] [--require-all]
#   compare   autovenv vs direnv vs mise vs floor, per shell and step (each
#             cell: time added · ratio to the floor · processes per step):
#             idle prompt at depth 1, 10 and 50 below the project root; cd
#             within a project, near (root <-> 1 below) and deep (root <-> 10
#             below); leave (project -> no project) and enter (the reverse);
#             switch (root <-> root of another project); then processes at
#             shell start, peak memory, the binary alone (default)
#   scaling   autovenv alone: directory depth 1/10/50, PATH of 10/1,000
#             entries, trust store of 10/10,000 projects
#   depth     scaling's directory depths alone (1/10/50)
#   trap      bash only: what the DEBUG trap (the switch after a `cd` inside
#             a command line) adds to a command line that changes no folder
#   all       compare, scaling and trap
#   --quick   fewer rounds and steps (and 4 instead of 10 under strace): a
#             smoke test, not a measurement (compare: under 2 minutes on a
#             quiet machine, about one minute of CPU; a machine busy with
#             other work stretches it: 11 minutes at a load of 10-14 on 2
#             cores)
#   --require-all  fail instead of skipping a missing shell or peer tool
# Settings: ROUNDS (default 9), IDLE_STEPS (300), CD_STEPS (30),
#   AUTOVENV_TEST_SHELLS (more shell versions, NAME=PATH pairs as
#   ../shared/test-shells/build prints them: bash-3.2=/x/bin/bash ...; each
#   runs beside the bash, zsh and fish on PATH),
#   AUTOVENV_BIN (default: a static `cargo build --release` of this checkout, as the README installs it),
#   PEERS (default "direnv mise"; empty: autovenv and the floor alone),
#   SHELLS (default "bash zsh fish": the shells on PATH to measure; the
#     versions of AUTOVENV_TEST_SHELLS come on top),
#   SCENARIOS (compare's steps, any of "idle1 idle10 idle50 near deep leave
#     enter switch", the default all of them, in the order given; "idle" is
#     idle1; leave and enter share one session, so either runs both),
#   KEEP=1 keeps the temporary folder (scripts, raw timings) for a look,
#   ALL_KINDS=1 turns on every other tool's kind (src/locate): Poetry's,
#     Pipenv's, Hatch's and pyenv's folders hold an environment in the
#     isolated HOME and
#     UV_PROJECT_ENVIRONMENT is set, so every folder the search walks asks
#     for pyproject.toml, Pipfile and .python-version too (the worst case).
#
# It installs nothing. It needs: bash 5 (EPOCHREALTIME), zsh, fish, python3
# with the venv module, rustc (for the floor binary), strace, GNU time
# (/usr/bin/time) and, for the comparison, direnv (Debian package `direnv`)
# and mise (npm package `@jdxcode/mise`). Everything it creates lives in one
# temporary folder, removed at the end; the shells and tools run with an
# isolated HOME and XDG folders, so nothing of yours is read or changed.
#
# Method, in short: each (shell, scenario, tool) runs as a whole interactive
# session fed from a pipe: a preamble that loads the hook and walks to the
# starting folder, then STEPS steps (empty prompts or cds). Each is timed
# twice, with all its steps and with none; the difference, minus the same
# difference for a shell with no hook at all, divided by STEPS, is what the
# tool adds per step. Tools are interleaved within each round, in an order
# that rotates from round to round, and the tables show the median over
# rounds. Leave and enter are the exception: any session has as many of one
# as of the other, so whole-session times only give their sum; one session
# alternates them and times each step inside the shell (EPOCHREALTIME noted
# at the start of each step's line in bash and zsh, fish's `time` keyword
# around each step and its prompt event), less the same for the no-hook
# shell, median over rounds as above. bash before 5 has no clock builtin:
# its leave and enter rows are counted, not timed. Process counts come from
# `strace -f -e trace=execve` over the same sessions with fewer steps, each
# step's line starting with a marker, so that every process is charged to
# the step that started it (a step that starts none shows 0).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")

modes=()
depth_only=
quick=
require_all=
for arg in "$@"; do
    case $arg in
    compare | scaling | trap) modes+=("$arg") ;;
    depth) modes+=(scaling) depth_only=1 ;;
    all) modes+=(compare scaling trap) ;;
    --quick) quick=1 ;;
    --require-all) require_all=1 ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "hook-latency: unknown argument '$arg' (try --help)" >&2
        exit 2
        ;;
    esac
done
((${#modes[@]})) || modes=(compare)

if [[ -n $quick ]]; then
    : "${ROUNDS:=3}" "${IDLE_STEPS:=40}" "${CD_STEPS:=6}"
else
    : "${ROUNDS:=9}" "${IDLE_STEPS:=300}" "${CD_STEPS:=30}"
fi

note() { printf 'hook-latency: %s\n' "$*" >&2; }
die() {
    note "$*"
    exit 1
}
# A missing optional piece is skipped with a note, or fails with
# --require-all.
missing() {
    if [[ -n $require_all ]]; then
        die "$1 is missing and --require-all is set"
    fi
    note "skipping $1: not installed${2:+ ($2)}"
}

((BASH_VERSINFO[0] >= 5)) || die "bash 5 or newer is needed (for EPOCHREALTIME)"
for tool in python3 rustc strace; do
    command -v "$tool" >/dev/null || die "$tool is needed"
done
[[ -x /usr/bin/time ]] || die "GNU time (/usr/bin/time, Debian package 'time') is needed"

# Each shell has a label (bash, or bash-3.2 for a version from
# AUTOVENV_TEST_SHELLS) and a family, the label up to its first '-', which
# decides the syntax of its scripts.
shells=()
declare -A shell_exe=()
for sh in ${SHELLS-bash zsh fish}; do
    case $sh in
    bash | zsh | fish) ;;
    *) die "SHELLS: unknown shell '$sh' (bash, zsh, fish)" ;;
    esac
    if command -v "$sh" >/dev/null; then
        shells+=("$sh")
        shell_exe[$sh]=$(command -v "$sh")
    else
        missing "$sh" "Debian package $sh"
    fi
done
for pair in ${AUTOVENV_TEST_SHELLS-}; do
    label=${pair%%=*}
    case ${label%%-*} in
    bash | zsh | fish) ;;
    *) die "AUTOVENV_TEST_SHELLS: unknown shell '$label'" ;;
    esac
    if [[ -x ${pair#*=} ]]; then
        shells+=("$label")
        shell_exe[$label]=${pair#*=}
    else
        missing "$label" "AUTOVENV_TEST_SHELLS names ${pair#*=}"
    fi
done

peers=()
for peer in ${PEERS-direnv mise}; do
    case $peer in
    direnv) hint="Debian package direnv" ;;
    mise) hint="npm install -g @jdxcode/mise" ;;
    *) die "PEERS: unknown tool '$peer' (direnv, mise)" ;;
    esac
    if command -v "$peer" >/dev/null; then peers+=("$peer"); else missing "$peer" "$hint"; fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/hook-latency.XXXXXX")
work=$(cd "$work" && pwd -P)
if [[ -n ${KEEP-} ]]; then
    note "keeping $work (KEEP is set)"
else
    trap 'rm -rf "$work"' EXIT
fi
# Paths are written into shell scripts for three shells below; a temporary
# folder of plain characters keeps that quoting trivial.
[[ $work =~ ^[A-Za-z0-9/._-]+$ ]] || die "TMPDIR gives $work; use a folder of plain characters"

if [[ -z ${AUTOVENV_BIN-} ]]; then
    command -v cargo >/dev/null || die "cargo is needed to build autovenv (or set AUTOVENV_BIN)"
    # Built as the README installs it: statically linked, for this host.
    host=$(rustc -vV | sed -n 's/^host: //p')
    note "building autovenv (cargo build --release --target $host, static)"
    (cd "$repo" && RUSTFLAGS='-C target-feature=+crt-static' cargo build --release --quiet --target "$host")
    AUTOVENV_BIN=${CARGO_TARGET_DIR:-$repo/target}/$host/release/autovenv
fi
[[ -x $AUTOVENV_BIN ]] || die "no autovenv binary at $AUTOVENV_BIN"
AUTOVENV_BIN=$(cd "$(dirname "$AUTOVENV_BIN")" && pwd -P)/$(basename "$AUTOVENV_BIN")
[[ $AUTOVENV_BIN =~ ^[A-Za-z0-9/._-]+$ ]] || die "the autovenv binary's path must be plain characters: $AUTOVENV_BIN"

# The floor: the smallest Rust program that prints one line to evaluate,
# built the way release binaries are.
floor=$work/floor
cat >"$work/floor.rs" <<'EOF'
fn main() {
    if std::env::args_os().nth(1).is_some_and(|a| a == "fish") {
        println!("set -g __floor_seen 1");
    } else {
        println!("__floor_seen=1");
    }
}
EOF
rustc --edition 2021 -C opt-level=3 -C panic=abort -C codegen-units=1 -C strip=symbols \
    -o "$floor" "$work/floor.rs"

# ---------------------------------------------------------------------------
# The world every tool sees: the same two projects, each with a real venv and
# each tool's marker, so that every tool walks the same folders.
home=$work/home
base_path=/usr/local/bin:/usr/bin:/bin

make_project() { # DIR
    mkdir -p "$1"
    python3 -m venv --without-pip "$1/venv"
    # direnv: the least an .envrc can do to activate a venv.
    # shellcheck disable=SC2016 # direnv expands it, not this script
    printf '%s\n' 'export VIRTUAL_ENV="$PWD/venv"' 'PATH_add venv/bin' >"$1/.envrc"
    # mise: its own venv activation.
    printf '%s\n' '[env]' '_.python.venv = "venv"' >"$1/mise.toml"
}

# Runs a tool with the sessions' environment (and any extra VAR=VALUE).
in_env() {
    env -i "${session_env[@]}" "$@"
}

setup_world() { # ROOT PATH_VALUE
    local root=$1
    session_env=(
        HOME="$home" PATH="$2" TERM=dumb LANG=C.UTF-8
        XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share"
        XDG_STATE_HOME="$home/.local/state" XDG_CACHE_HOME="$home/.cache"
        AUTOVENV_DATA_DIR="$root/autovenv-data" AUTOVENV_HOME="$work/central"
    )
    if [[ -n ${ALL_KINDS-} ]]; then
        session_env+=(UV_PROJECT_ENVIRONMENT=.uv-env)
        # Each tool's folder, with one environment in it, as on a machine
        # where every tool is in use (pyenv's versions/ without one would
        # ask nothing per folder).
        local d
        for d in "$home/.cache/pypoetry/virtualenvs/other-AAAAAAAA-py3.11" \
            "$home/.local/share/virtualenvs/other-AAAAAAAA" \
            "$home/.local/share/hatch/env/virtual/other/AAAAAAAA/other" \
            "$home/.pyenv/versions/3.11.7/envs/other"; do
            [[ -d $d ]] || python3 -m venv --without-pip "$d"
        done
    fi
    mkdir -p "$home" "$work/central" "$root/out"
    alpha=$root/p/alpha
    beta=$root/p/beta
    if [[ ! -d $alpha ]]; then
        make_project "$alpha"
        make_project "$beta"
        mkdir -p "$(depth_dir 50)"
        for p in "$alpha" "$beta"; do
            in_env "$AUTOVENV_BIN" allow "$p" 2>/dev/null
            if [[ " ${peers[*]-} " == *" direnv "* ]]; then
                (cd "$p" && in_env direnv allow . 2>/dev/null)
            fi
            if [[ " ${peers[*]-} " == *" mise "* ]]; then
                (cd "$p" && in_env mise trust . >/dev/null 2>&1)
            fi
        done
        # As in a project worked in for a while: no folder was changed in
        # the last seconds (autovenv's walk knows a folder only while it is
        # older than the stamp it made, 2 s back; see docs/performance.md).
        find "$root" -type d -exec touch -d '1 hour ago' {} +
    fi
    outside=$root/out
    deep=$(depth_dir 10)
}

# The folder DEPTH levels below alpha's root: alpha/src, then d2, d3...
depth_dir() { # DEPTH
    local dir=$alpha/src i
    for ((i = 2; i <= $1; i++)); do dir+=/d$i; done
    echo "$dir"
}

# ---------------------------------------------------------------------------
# Session scripts.

shell_cmd() { # SHELL -> argv of an interactive shell without rc files
    case ${1%%-*} in
    bash) echo "${shell_exe[$1]}" --norc --noprofile -i ;;
    zsh) echo "${shell_exe[$1]}" --no-rcs --no-globalrcs -i ;;
    fish) echo "${shell_exe[$1]}" --no-config -i ;;
    esac
}

hook_lines() { # SHELL TOOL
    local sh=${1%%-*} tool=$2
    case $sh/$tool in
    */none) ;;
    bash/floor) printf '%s\n' "PROMPT_COMMAND='eval \"\$($floor)\"'" ;;
    zsh/floor) printf '%s\n' "__floor() { eval \"\$($floor)\"; }" 'precmd_functions+=(__floor)' ;;
    fish/floor) printf '%s\n' "function __floor --on-event fish_prompt; $floor fish | source; end" ;;
    fish/autovenv) printf '%s\n' "$AUTOVENV_BIN hook fish | source" ;;
    */autovenv) printf '%s\n' "eval \"\$($AUTOVENV_BIN hook $sh)\"" ;;
    # The bash hook without its DEBUG trap (`trap` mode).
    bash/autovenv-notrap) printf '%s\n' AUTOVENV_BASH_DEBUG_TRAP=0 "eval \"\$($AUTOVENV_BIN hook bash)\"" ;;
    fish/direnv) printf '%s\n' "direnv hook fish | source" ;;
    */direnv) printf '%s\n' "eval \"\$(direnv hook $sh)\"" ;;
    fish/mise) printf '%s\n' "mise activate fish | source" ;;
    */mise) printf '%s\n' "eval \"\$(mise activate $sh)\"" ;;
    esac
}

# One command as typed at the prompt. Piped into fish, commands fire no
# preexec or prompt event: the script emits them, as the prompt would
# (the preexec event with the line, single-quoted for fish).
line() { # SHELL COMMAND
    if [[ ${1%%-*} == fish ]]; then
        local q=${2//\\/\\\\}
        q=${q//\'/\\\'}
        printf '%s\n' "emit fish_preexec '$q'" "$2" 'emit fish_prompt'
    else
        printf '%s\n' "$2"
    fi
}

idle_cmd() { if [[ ${1%%-*} == fish ]]; then echo true; else echo :; fi; }

# compare's steps. Each runs in its own sessions, except leave and enter,
# which are the two halves of one session, "trip" (see step_times).
all_scenarios="idle1 idle10 idle50 near deep leave enter switch"

# The session that measures a scenario.
scenario_session() { # SCENARIO
    case $1 in
    idle) echo idle1 ;;
    leave | enter) echo trip ;;
    *) echo "$1" ;;
    esac
}

# The steps of a session: STEPS commands after the preamble. MODE is
# empty (plain), "marks" (each step's line starts with /bin/true and a
# marker naming the step, for strace) or "stamps" (each step's line starts
# by noting the shell's clock; in fish, which has no clock variable, each
# step runs under the `time` keyword instead).
scenario_steps() { # SHELL SESSION STEPS [MODE]
    local sh=$1 scenario=$2 n=$3 mode=${4-} i kind cmd idle
    idle=$(idle_cmd "$sh")
    for ((i = 0; i < n; i++)); do
        kind=$scenario
        case $scenario in
        idle*) cmd=$idle ;;
        # A command line of five builtins that changes no folder.
        line5) cmd=": 1; : 2; : 3; : 4; : 5" ;;
        switch) if ((i % 2)); then cmd="cd $alpha"; else cmd="cd $beta"; fi ;;
        # Within one project: the root and the folder one level below it,
        # or ten below it.
        near) if ((i % 2)); then cmd="cd $alpha"; else cmd="cd $alpha/src"; fi ;;
        deep) if ((i % 2)); then cmd="cd $alpha"; else cmd="cd $deep"; fi ;;
        # Out of every project, then back into the same one.
        trip) if ((i % 2)); then cmd="cd $alpha" kind=enter; else cmd="cd $outside" kind=leave; fi ;;
        esac
        case $mode/${sh%%-*} in
        marks/*) line "$sh" "command /bin/true __bench_mark_$kind; $cmd" ;;
        stamps/fish) printf '%s\n' "time begin; emit fish_preexec '$cmd'; $cmd; emit fish_prompt; end" ;;
        # zsh notes the clock in a preexec hook (see write_session): a
        # line of its own `cd` is what zsh's hook sees typed.
        stamps/zsh) line "$sh" "$cmd" ;;
        stamps/*) line "$sh" "__bench_t+=(\"\$EPOCHREALTIME\"); $cmd" ;;
        *) line "$sh" "$cmd" ;;
        esac
    done
}

scenario_start() { # SESSION -> the folder the steps start from
    case $1 in
    idle | line5) echo "$alpha/src" ;;
    idle[0-9]*) depth_dir "${1#idle}" ;;
    *) echo "$alpha" ;;
    esac
}

# write_session FILE SHELL TOOL SESSION STEPS [MODE]
# MODE as for scenario_steps. With marks, /bin/true also runs with an end
# marker after the steps, so that strace output can be cut to them; with
# stamps, the clock is noted once more after the last step and every value
# written to $work/stamps (bash and zsh).
write_session() {
    local file=$1 sh=$2 tool=$3 scenario=$4 n=$5 mode=${6-}
    {
        if [[ ${sh%%-*} == fish ]]; then
            printf '%s\n' "function fish_prompt; printf '> '; end"
        else
            printf '%s\n' "PS1='\$ '"
            # zsh's EPOCHREALTIME, loaded in every session alike.
            [[ ${sh%%-*} != zsh || $mode != stamps ]] || printf '%s\n' 'zmodload zsh/datetime'
        fi
        hook_lines "$sh" "$tool"
        [[ ${sh%%-*} != fish ]] || printf '%s\n' 'emit fish_prompt'
        line "$sh" "cd $(scenario_start "$scenario")"
        # One more prompt there, so that the steps start from a settled state.
        line "$sh" "$(idle_cmd "$sh")"
        # zsh: the clock is noted before each line by a preexec hook that
        # runs before any other, so a step's line is its command alone.
        if [[ $mode == stamps && ${sh%%-*} == zsh ]]; then
            line "$sh" "__bench_stamp() { __bench_t+=(\"\$EPOCHREALTIME\") }; preexec_functions=(__bench_stamp \$preexec_functions)"
        fi
        scenario_steps "$sh" "$scenario" "$n" "$mode"
        [[ $mode != marks ]] || line "$sh" "command /bin/true __bench_mark_end"
        if [[ $mode == stamps && ${sh%%-*} != fish ]]; then
            [[ ${sh%%-*} == zsh ]] || line "$sh" "__bench_t+=(\"\$EPOCHREALTIME\")"
            line "$sh" "printf '%s\\n' \"\${__bench_t[@]}\" >$work/stamps"
        fi
        printf '%s\n' exit
    } >"$file"
}

# Microseconds one session takes, start to exit, by bash's own clock; with
# timer=cpu, the CPU time (user + system) the session's processes used,
# which a busy machine disturbs far less than the clock (`trap` mode, whose
# differences are a few microseconds a step).
timer=wall
time_session() { # SHELL FILE
    local t0 t1 cmd
    read -ra cmd <<<"$(shell_cmd "$1")"
    if [[ $timer == cpu ]]; then
        (cd "$home" && python3 -c '
import resource, subprocess, sys
with open(sys.argv[1]) as script:
    subprocess.run(sys.argv[2:], stdin=script, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(round((r.ru_utime + r.ru_stime) * 1e6))' "$2" env -i "${session_env[@]}" "${cmd[@]}") || echo 0
        return
    fi
    t0=$EPOCHREALTIME
    (cd "$home" && in_env "${cmd[@]}" <"$2" >/dev/null 2>&1) || true
    t1=$EPOCHREALTIME
    echo $((${t1//[!0-9]/} - ${t0//[!0-9]/}))
}

# Each step's duration in µs, one a line, in order, from one session
# written with stamps: in bash and zsh the difference between the clock
# noted at the start of a step's line and at the start of the next one
# (the step's command, the hooks it fires, the prompt after it), in fish
# what `time` reports for the step and its prompt event. The shell's own
# clock, so that one step can be told from the next: leave and enter come
# in pairs in any session, and only a clock inside it can part them.
step_times() { # SHELL FILE
    local cmd
    read -ra cmd <<<"$(shell_cmd "$1")"
    rm -f "$work/stamps"
    (cd "$home" && in_env "${cmd[@]}" <"$2" >/dev/null 2>"$work/stderr") || true
    if [[ ${1%%-*} == fish ]]; then
        awk '$1 == "Executed" && $2 == "in" {
            u = $4; v = $3
            if (u ~ /^micro/) f = 1; else if (u ~ /^milli/) f = 1e3; else if (u ~ /^sec/) f = 1e6; else f = 6e7
            printf "%.0f\n", v * f }' "$work/stderr"
    elif [[ -s $work/stamps ]]; then
        # Seconds with six decimals (bash) or nine (zsh), in whole µs.
        awk '{ split($0, a, "."); v = a[1] * 1e6 + substr(a[2] "000000", 1, 6)
            if (NR > 1) print v - prev; prev = v }' "$work/stamps"
    fi
}

# Whether SHELL has the clock step_times reads: EPOCHREALTIME (bash 5 and
# later; zsh with zsh/datetime) or fish's `time` keyword.
has_clock() { # SHELL
    local exe=${shell_exe[$1]}
    # shellcheck disable=SC2016 # expanded by the shell named
    case ${1%%-*} in
    bash) "$exe" -c '[[ -n ${EPOCHREALTIME-} ]]' 2>/dev/null ;;
    zsh) "$exe" -c 'zmodload zsh/datetime && [[ -n $EPOCHREALTIME ]]' 2>/dev/null ;;
    fish) "$exe" -c 'time true' 2>&1 | grep -q Executed ;;
    esac
}

# Processes started (execve calls) by each step of a session written with
# marks: every execve after a step's marker, up to the next marker, is that
# step's (the markers' own /bin/true not counted). Prints KIND PROCESSES
# STEPS for each kind of step.
count_execs() { # SHELL FILE
    local trace=$work/trace cmd
    read -ra cmd <<<"$(shell_cmd "$1")"
    (cd "$home" && strace -f -qq -e signal=none -e trace=execve -o "$trace" \
        env -i "${session_env[@]}" "${cmd[@]}" <"$2" >/dev/null 2>&1) || true
    awk '
        /execve\(/ && match($0, /__bench_mark_[a-z0-9]+/) {
            kind = substr($0, RSTART + 13, RLENGTH - 13)
            if (kind == "end") { kind = ""; next }
            steps[kind]++; n[kind] += 0; next }
        kind != "" && /execve\(/ { n[kind]++ }
        END { for (k in steps) print k, n[k], steps[k] }' "$trace"
}

# Processes started from the shell's start to its first prompt with the hook
# loaded (the shell's own exec not counted).
count_start_execs() { # SHELL TOOL
    local file=$work/start.$1 trace=$work/trace cmd
    read -ra cmd <<<"$(shell_cmd "$1")"
    {
        if [[ ${1%%-*} == fish ]]; then
            printf '%s\n' "function fish_prompt; printf '> '; end"
        else
            printf '%s\n' "PS1='\$ '"
        fi
        hook_lines "$1" "$2"
        [[ ${1%%-*} != fish ]] || printf '%s\n' 'emit fish_prompt'
        line "$1" "command /bin/true __bench_mark_begin"
        printf '%s\n' exit
    } >"$file"
    (cd "$home" && strace -f -qq -e signal=none -e trace=execve -o "$trace" \
        env -i "${session_env[@]}" "${cmd[@]}" <"$file" >/dev/null 2>&1) || true
    # The first execve is the shell's (started by env), the second env's.
    awk '/__bench_mark_begin/ { exit } /execve\(/ { n++ } END { print n - 2 }' "$trace"
}

# ---------------------------------------------------------------------------
# Timing rounds. Each record: shell scenario tool round full_us empty_us steps

# Steps per session.
session_steps() { # SESSION
    case $1 in
    idle* | line5) echo "$IDLE_STEPS" ;;
    # As many leaves as enters, each as many as the cds of other sessions.
    trip) echo $((2 * CD_STEPS)) ;;
    *) echo "$CD_STEPS" ;;
    esac
}

measure() { # OUT SHELLS_VAR SCENARIOS_VAR TOOLS_VAR
    local out=$1 sh scenario tool r i n full empty
    local -n m_shells=$2 m_scenarios=$3 m_tools=$4
    local ntools=${#m_tools[@]}
    for sh in "${m_shells[@]}"; do
        for scenario in "${m_scenarios[@]}"; do
            n=$(session_steps "$scenario")
            if [[ $scenario == trip ]]; then
                measure_trip "$out" "$sh" "$n" "${m_tools[@]}"
                continue
            fi
            for tool in "${m_tools[@]}"; do
                write_session "$work/s.$sh.$scenario.$tool.full" "$sh" "$tool" "$scenario" "$n"
                write_session "$work/s.$sh.$scenario.$tool.empty" "$sh" "$tool" "$scenario" 0
                # A first run outside the rounds warms caches.
                time_session "$sh" "$work/s.$sh.$scenario.$tool.full" >/dev/null
            done
            for ((r = 0; r < ROUNDS; r++)); do
                for ((i = 0; i < ntools; i++)); do
                    tool=${m_tools[(i + r) % ntools]}
                    full=$(time_session "$sh" "$work/s.$sh.$scenario.$tool.full")
                    empty=$(time_session "$sh" "$work/s.$sh.$scenario.$tool.empty")
                    printf '%s %s %s %s %s %s %s\n' "$sh" "$scenario" "$tool" "$r" "$full" "$empty" "$n" >>"$out"
                done
            done
            note "$sh $scenario: done"
        done
    done
}

# leave and enter: one session per tool and round, every step timed by the
# shell's clock (step_times); the records take the sum of one kind's steps
# as "full" and 0 as "empty", so that summarize treats them as the others
# (less the no-hook shell, per step, median over rounds).
measure_trip() { # OUT SHELL STEPS TOOL...
    local out=$1 sh=$2 n=$3 tool r i
    shift 3
    local -a tools=("$@")
    local ntools=${#tools[@]}
    if ! has_clock "$sh"; then
        note "$sh trip: no clock builtin (bash before 5): leave and enter counted, not timed"
        return
    fi
    for tool in "${tools[@]}"; do
        write_session "$work/s.$sh.trip.$tool" "$sh" "$tool" trip "$n" stamps
        step_times "$sh" "$work/s.$sh.trip.$tool" >/dev/null
    done
    for ((r = 0; r < ROUNDS; r++)); do
        for ((i = 0; i < ntools; i++)); do
            tool=${tools[(i + r) % ntools]}
            step_times "$sh" "$work/s.$sh.trip.$tool" | awk -v s="$sh" -v t="$tool" -v r="$r" -v want="$n" '
                { sum[(NR - 1) % 2] += $1; k[(NR - 1) % 2]++ }
                END {
                    if (NR != want) { print "hook-latency: " s " trip " t ": " NR " step times, not " want > "/dev/stderr"; exit }
                    printf "%s leave %s %s %d 0 %d\n", s, t, r, sum[0], k[0]
                    printf "%s enter %s %s %d 0 %d\n", s, t, r, sum[1], k[1] }' >>"$out"
        done
    done
    note "$sh leave and enter: done"
}

# Median per (shell, scenario, tool) of what the tool adds per step, in µs:
# ((full - empty) - (full - empty of no hook, same round)) / steps.
# Prints: shell scenario tool median_us p25_us p75_us
summarize() { # RECORDS
    awk '
        { key = $1 " " $2; d[key, $3, $4] = ($5 - $6) / $7; tools[key, $3] = 1; rounds[key, $4] = 1 }
        END {
            for (kt in tools) {
                split(kt, a, SUBSEP); key = a[1]; tool = a[2]
                if (tool == "none") continue
                n = 0
                for (kr in rounds) {
                    split(kr, b, SUBSEP)
                    if (b[1] != key || !((key, tool, b[2]) in d) || !((key, "none", b[2]) in d)) continue
                    v[++n] = d[key, tool, b[2]] - d[key, "none", b[2]]
                }
                # insertion sort: few values
                for (i = 2; i <= n; i++) { x = v[i]; for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
                med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
                printf "%s %s %.1f %.1f %.1f\n", key, tool, med, v[int((n + 3) / 4)], v[int((3 * n + 3) / 4)]
            }
        }' "$1" | sort
}

lookup() { # SUMMARY SHELL SCENARIO TOOL FIELD(3=median)
    awk -v s="$2" -v c="$3" -v t="$4" -v f="$5" '$1 == s && $2 == c && $3 == t { print $f }' "$1"
}

fmt_us() { # VALUE -> "12 µs" or "3.4 ms"
    awk -v v="$1" 'BEGIN {
        if (v == "") { print "n/a"; exit }
        if (v >= 1000 || v <= -1000) printf "%.2f ms", v / 1000; else printf "%.0f µs", v }'
}

ratio() { # VALUE FLOOR
    awk -v v="$1" -v f="$2" 'BEGIN { if (v == "" || f == "" || f <= 0) print "n/a"; else printf "%.2f×", v / f }'
}

scenario_label() {
    case $1 in
    idle1) echo "idle prompt, depth 1" ;;
    idle10) echo "idle prompt, depth 10" ;;
    idle50) echo "idle prompt, depth 50" ;;
    near) echo "cd within: root ↔ 1 below" ;;
    deep) echo "cd within: root ↔ 10 below" ;;
    leave) echo "cd: leave (project → no project)" ;;
    enter) echo "cd: enter (no project → project)" ;;
    switch) echo "cd: switch (root ↔ root)" ;;
    esac
}

# ---------------------------------------------------------------------------

compare() {
    setup_world "$work/w" "$base_path"
    local scenarios=() sessions=() tools=(none floor autovenv "${peers[@]}")
    local records=$work/compare.records summary=$work/compare.summary
    local sh scenario session tool m fl n cell header sep row kind e k
    local -A execs=()
    local -a wanted
    read -ra wanted <<<"${SCENARIOS:-$all_scenarios}"
    for scenario in "${wanted[@]}"; do
        [[ $scenario != idle ]] || scenario=idle1
        [[ " $all_scenarios " == *" $scenario "* ]] ||
            die "SCENARIOS: unknown step '$scenario' (of: $all_scenarios)"
        scenarios+=("$scenario")
        session=$(scenario_session "$scenario")
        [[ " ${sessions[*]-} " == *" $session "* ]] || sessions+=("$session")
    done
    : >"$records"
    note "compare: ${#shells[@]} shells, ${ROUNDS} rounds, $IDLE_STEPS idle prompts, $CD_STEPS cds per session; steps: ${scenarios[*]}"
    measure "$records" shells sessions tools
    summarize "$records" >"$summary"

    # Processes per step, from strace over the same sessions with fewer
    # steps (counts are exact, time is not needed): each step's line starts
    # with a marker, so a step that starts nothing shows 0.
    n=10
    [[ -z $quick ]] || n=4
    for sh in "${shells[@]}"; do
        for session in "${sessions[@]}"; do
            for tool in floor autovenv "${peers[@]}"; do
                write_session "$work/x" "$sh" "$tool" "$session" "$n" marks
                while read -r kind e k; do
                    execs[$sh.$kind.$tool]=$(awk -v e="$e" -v k="$k" 'BEGIN { printf "%g", e / k }')
                done < <(count_execs "$sh" "$work/x")
            done
        done
        note "$sh: processes counted"
    done

    echo "## What each tool adds, per step (median of $ROUNDS rounds)"
    echo
    echo "Each cell: time added · ratio to the floor · processes started per step."
    echo
    header="| shell | step | floor |"
    sep="| --- | --- | --- |"
    for tool in autovenv "${peers[@]}"; do
        header+=" $tool |"
        sep+=" --- |"
    done
    echo "$header"
    echo "$sep"
    for sh in "${shells[@]}"; do
        for scenario in "${scenarios[@]}"; do
            fl=$(lookup "$summary" "$sh" "$scenario" floor 4)
            row="| $sh | $(scenario_label "$scenario") |"
            for tool in floor autovenv "${peers[@]}"; do
                m=$(lookup "$summary" "$sh" "$scenario" "$tool" 4)
                cell="$(fmt_us "$m") · $(ratio "$m" "$fl") · ${execs[$sh.$scenario.$tool]-n/a}"
                row+=" $cell |"
            done
            echo "$row"
        done
    done
    echo
    echo "Interquartile ranges (µs per step, p25–p75):"
    echo
    echo '```'
    awk '{ printf "%-8s %-6s %-15s median %9.1f   p25 %9.1f   p75 %9.1f\n", $1, $2, $3, $4, $5, $6 }' "$summary"
    echo '```'
    echo

    echo "## Processes started from shell start to the first prompt"
    echo
    header="| shell |"
    sep="| --- |"
    for tool in autovenv "${peers[@]}"; do
        header+=" $tool |"
        sep+=" --- |"
    done
    echo "$header"
    echo "$sep"
    for sh in "${shells[@]}"; do
        local base
        row="| $sh |"
        base=$(count_start_execs "$sh" none)
        for tool in autovenv "${peers[@]}"; do
            row+=" $(($(count_start_execs "$sh" "$tool") - base)) |"
        done
        echo "$row"
    done
    echo

    memory
    binary_alone
}

# Peak resident memory of one run, in KiB, by GNU time.
peak_kib() { # DIR COMMAND...
    local dir=$1
    shift
    (cd "$dir" && env -i "${session_env[@]}" PWD="$dir" /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>&1) || true
    cat "$work/rss"
}

memory() {
    echo "## Peak memory of one hook call (maximum resident set, GNU time)"
    echo
    echo "| call | peak |"
    echo "| --- | --- |"
    local kib
    kib=$(peak_kib "$alpha" "$floor")
    echo "| floor | $((kib)) KiB |"
    kib=$(peak_kib "$alpha" "$AUTOVENV_BIN" hook bash)
    echo "| autovenv hook bash | $((kib)) KiB |"
    kib=$(peak_kib "$alpha" env __AUTOVENV_LOCAL= "$AUTOVENV_BIN" export bash "${bookkeeping[@]}" '')
    echo "| autovenv export bash (activating) | $((kib)) KiB |"
    kib=$(peak_kib "$alpha" env __AUTOVENV_LOCAL= PATH="$long_path" "$AUTOVENV_BIN" export bash "${bookkeeping[@]}" '')
    echo "| autovenv export bash (activating, PATH of 1,000 entries) | $((kib)) KiB |"
    if [[ " ${peers[*]-} " == *" direnv "* ]]; then
        kib=$(peak_kib "$alpha" direnv export bash)
        echo "| direnv export bash (activating) | $((kib)) KiB |"
    fi
    if [[ " ${peers[*]-} " == *" mise "* ]]; then
        kib=$(peak_kib "$alpha" mise hook-env -s bash)
        echo "| mise hook-env -s bash (activating) | $((kib)) KiB |"
    fi
    echo
}

# The binary alone, started from bash in a loop: startup cost without any
# shell hook around it.
binary_alone() {
    local reps=200 r i k t0 t1
    local -a names=(true floor "autovenv --version" "autovenv export bash (nothing to do)" "autovenv export bash (activating)")
    local rec=$work/alone
    : >"$rec"
    # The bookkeeping the hook would pass once the shell is settled in alpha.
    local settled
    settled=$(cd "$alpha" && in_env PWD="$alpha" __AUTOVENV_LOCAL= "$AUTOVENV_BIN" export bash "${bookkeeping[@]}" '' 2>/dev/null |
        sed -n "s/^__autovenv_local=//p" | head -1)
    settled=$(eval "printf '%s' $settled")
    local state
    state=$(cd "$alpha" && in_env PWD="$alpha" __AUTOVENV_LOCAL= "$AUTOVENV_BIN" export bash "${bookkeeping[@]}" '' 2>/dev/null |
        sed -n "s/^.*export __AUTOVENV_STATE=//p" | head -1)
    state=$(eval "printf '%s' $state")
    # The runs see the sessions' environment only (their HOME, data folder
    # and PATH), as every other step does: nothing of the user's is read,
    # and no stamp lands in the user's data folder.
    (
    local v
    while IFS= read -r v; do
        export -n "${v?}" 2>/dev/null || true
    done < <(compgen -e)
    export "${session_env[@]}"
    for ((r = 0; r < ROUNDS; r++)); do
        for i in "${!names[@]}"; do
            t0=$EPOCHREALTIME
            case $i in
            0) for ((k = 0; k < reps; k++)); do (cd "$alpha" && exec /bin/true); done ;;
            1) for ((k = 0; k < reps; k++)); do (cd "$alpha" && exec "$floor" >/dev/null); done ;;
            2) for ((k = 0; k < reps; k++)); do (cd "$alpha" && exec "$AUTOVENV_BIN" --version >/dev/null); done ;;
            3) for ((k = 0; k < reps; k++)); do
                (cd "$alpha" && PWD=$alpha VIRTUAL_ENV=$alpha/venv __AUTOVENV_STATE=$state \
                    PATH=$alpha/venv/bin:$base_path VIRTUAL_ENV_PROMPT=alpha __AUTOVENV_LOCAL=$settled \
                    exec "$AUTOVENV_BIN" export bash "${bookkeeping[@]}" "$settled" >/dev/null 2>&1)
            done ;;
            4) for ((k = 0; k < reps; k++)); do
                (cd "$alpha" && PWD=$alpha __AUTOVENV_LOCAL='' exec "$AUTOVENV_BIN" export bash "${bookkeeping[@]}" '' >/dev/null 2>&1)
            done ;;
            esac
            t1=$EPOCHREALTIME
            echo "$i $(((${t1//[!0-9]/} - ${t0//[!0-9]/}) / reps))" >>"$rec"
        done
    done
    )
    echo "## The binary alone, started from bash (median µs per run)"
    echo
    echo "| program | µs |"
    echo "| --- | --- |"
    for i in "${!names[@]}"; do
        echo "| ${names[i]} | $(awk -v i="$i" '$1 == i { print $2 }' "$rec" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }') |"
    done
    echo
    echo "(Each run is a subshell that changes folder and execs the program, as the hook's \$(...) does.)"
    echo
}

# ---------------------------------------------------------------------------
# Scaling: autovenv (and the floor beside it) as the world grows.

scaling() {
    local depth dir i len size
    note "scaling: ${#shells[@]} shells, ${ROUNDS} rounds"
    echo "## How autovenv's cost grows (median added per step, and its ratio to the floor measured in the same rounds)"
    echo
    echo "| shell | world | idle prompt | ÷ floor | the check alone | cd | ÷ floor |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
    # Directory depth: the shell sits DEPTH folders below the project root
    # (each level is three questions: .venv-name, venv, .venv), and cds
    # between two sibling folders there.
    for depth in 1 10 50; do
        setup_world "$work/depth$depth" "$base_path"
        dir=$alpha
        for ((i = 1; i < depth; i++)); do dir+=/d$i; done
        mkdir -p "$dir/a" "$dir/b"
        scale_run "depth $depth" "$dir/a" "$dir/a" "$dir/b"
    done
    if [[ -n $depth_only ]]; then
        echo
        return
    fi
    # PATH length: idle in alpha/src, cd switches between alpha and beta
    # (each switch rewrites PATH).
    for len in 10 1000; do
        setup_world "$work/path$len" "$(path_of "$len")"
        scale_run "PATH of $len entries" "$alpha/src" "$alpha" "$beta"
    done
    # Trust store size: other projects trusted besides alpha and beta.
    for size in 10 10000; do
        setup_world "$work/trust$size" "$base_path"
        fill_trust_store "$work/trust$size" $((size - 2))
        scale_run "trust store of $size projects" "$alpha/src" "$alpha" "$beta"
    done
    echo
}

# scale_run LABEL IDLE_DIR CD_A CD_B: idle prompts in IDLE_DIR, cds between
# CD_A and CD_B; one table row per shell.
scale_run() {
    local label=$1 records=$work/scale.records summary=$work/scale.summary
    local tools=(none floor autovenv) sh scenario tool r i n full empty
    : >"$records"
    for sh in "${shells[@]}"; do
        for scenario in idle switch; do
            n=$CD_STEPS
            [[ $scenario != idle ]] || n=$IDLE_STEPS
            for tool in "${tools[@]}"; do
                write_scaled "$work/s.$tool.full" "$sh" "$tool" "$scenario" "$n" "$2" "$3" "$4"
                write_scaled "$work/s.$tool.empty" "$sh" "$tool" "$scenario" 0 "$2" "$3" "$4"
                time_session "$sh" "$work/s.$tool.full" >/dev/null
            done
            for ((r = 0; r < ROUNDS; r++)); do
                for ((i = 0; i < ${#tools[@]}; i++)); do
                    tool=${tools[(i + r) % ${#tools[@]}]}
                    full=$(time_session "$sh" "$work/s.$tool.full")
                    empty=$(time_session "$sh" "$work/s.$tool.empty")
                    printf '%s %s %s %s %s %s %s\n' "$sh" "$scenario" "$tool" "$r" "$full" "$empty" "$n" >>"$records"
                done
            done
        done
        note "scaling, $label, $sh: done"
    done
    summarize "$records" >"$summary"
    local idle idle_floor cd cd_floor
    for sh in "${shells[@]}"; do
        idle=$(lookup "$summary" "$sh" idle autovenv 4)
        idle_floor=$(lookup "$summary" "$sh" idle floor 4)
        cd=$(lookup "$summary" "$sh" switch autovenv 4)
        cd_floor=$(lookup "$summary" "$sh" switch floor 4)
        echo "| $sh | $label | $(fmt_us "$idle") | $(ratio "$idle" "$idle_floor") | $(check_alone "$sh" "$2") | $(fmt_us "$cd") | $(ratio "$cd" "$cd_floor") |"
    done
}

# The idle check alone, timed inside the shell: CALLS calls of
# __autovenv_unchanged minus as many turns of an empty loop, in µs per call
# (median of ROUNDS). bash and zsh read EPOCHREALTIME; fish has no clock
# builtin, so `date` runs once before and once after each loop, and the same
# for the empty loop, whose difference cancels it.
check_alone() { # SHELL DIR
    local sh=$1 dir=$2 calls=2000 file=$work/check.$1 times=$work/check.times cmd r
    [[ -z $quick ]] || calls=300
    read -ra cmd <<<"$(shell_cmd "$sh")"
    {
        if [[ ${sh%%-*} == fish ]]; then
            printf '%s\n' "function fish_prompt; printf '> '; end"
        else
            printf '%s\n' "PS1='\$ '"
            [[ ${sh%%-*} != zsh ]] || printf '%s\n' 'zmodload zsh/datetime'
        fi
        hook_lines "$sh" autovenv
        [[ ${sh%%-*} != fish ]] || printf '%s\n' 'emit fish_prompt'
        line "$sh" "cd $dir"
        line "$sh" "$(idle_cmd "$sh")"
        # The check must pass here, or this measures nothing.
        if [[ ${sh%%-*} == fish ]]; then
            line "$sh" "if __autovenv_unchanged; echo pass; else; echo fail; end >$work/check.pass"
        else
            line "$sh" "if __autovenv_unchanged; then echo pass; else echo fail; fi >$work/check.pass"
        fi
        for ((r = 0; r < ROUNDS; r++)); do
            if [[ ${sh%%-*} == fish ]]; then
                printf '%s\n' "set -l n (seq $calls); set -l a (date +%s.%N); for i in \$n; __autovenv_unchanged; end; set -l b (date +%s.%N); for i in \$n; true; end; set -l c (date +%s.%N); echo \$a \$b \$c >>$times"
            else
                printf '%s\n' "a=\$EPOCHREALTIME; for ((i = 0; i < $calls; i++)); do __autovenv_unchanged; done; b=\$EPOCHREALTIME; for ((i = 0; i < $calls; i++)); do :; done; c=\$EPOCHREALTIME; echo \$a \$b \$c >>$times"
            fi
        done
        printf '%s\n' exit
    } >"$file"
    : >"$times"
    (cd "$home" && in_env "${cmd[@]}" <"$file" >/dev/null 2>&1) || true
    if [[ $(cat "$work/check.pass" 2>/dev/null) != pass ]]; then
        echo "n/a (check failed)"
        return
    fi
    awk -v calls="$calls" '{ v[NR] = ((($2 - $1) - ($3 - $2)) * 1e6) / calls }
        END {
            for (i = 2; i <= NR; i++) { x = v[i]; for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
            printf "%.1f µs", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }' "$times"
}

write_scaled() { # FILE SHELL TOOL SCENARIO STEPS IDLE_DIR CD_A CD_B
    local file=$1 sh=$2 tool=$3 scenario=$4 n=$5 idle_dir=$6 cd_a=$7 cd_b=$8 i start
    start=$idle_dir
    [[ $scenario == idle ]] || start=$cd_b
    {
        if [[ ${sh%%-*} == fish ]]; then
            printf '%s\n' "function fish_prompt; printf '> '; end"
        else
            printf '%s\n' "PS1='\$ '"
        fi
        hook_lines "$sh" "$tool"
        [[ ${sh%%-*} != fish ]] || printf '%s\n' 'emit fish_prompt'
        line "$sh" "cd $start"
        line "$sh" "$(idle_cmd "$sh")"
        for ((i = 0; i < n; i++)); do
            if [[ $scenario == idle ]]; then
                line "$sh" "$(idle_cmd "$sh")"
            elif ((i % 2)); then
                line "$sh" "cd $cd_b"
            else
                line "$sh" "cd $cd_a"
            fi
        done
        printf '%s\n' exit
    } >"$file"
}

path_of() { # N -> a PATH of N entries ending in the base PATH
    local n=$1 i p=
    for ((i = 3; i < n; i++)); do p+="/opt/hook-latency/entry$i/bin:"; done
    echo "$p$base_path"
}

# N more trusted projects: fake environments (pyvenv.cfg and a bin/python
# link are all detection looks at), trusted with one `allow --recursive`.
fill_trust_store() { # ROOT N
    python3 - "$1/many" "$2" <<'EOF'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    env = os.path.join(root, f"p{i}", "venv")
    os.makedirs(os.path.join(env, "bin"))
    with open(os.path.join(env, "pyvenv.cfg"), "w") as f:
        f.write("home = /usr/bin\n")
    os.symlink("/usr/bin/python3", os.path.join(env, "bin", "python"))
EOF
    in_env "$AUTOVENV_BIN" allow --recursive "$1/many" 2>/dev/null
    note "trust store now holds $(find "$1/autovenv-data" -type f | wc -l) records"
}

# ---------------------------------------------------------------------------
# trap: bash only. What the hook's DEBUG trap (which switches after a `cd`
# inside a command line) adds to command lines that change no folder: the
# hook with it against the hook without it (AUTOVENV_BASH_DEBUG_TRAP=0),
# for a line of one builtin (an idle prompt) and a line of five.

trap_mode() {
    setup_world "$work/w" "$base_path"
    local records=$work/trap.records summary=$work/trap.summary bash_shells=() sh scenario
    local -a scenarios=(idle line5) tools=(none autovenv-notrap autovenv)
    for sh in "${shells[@]}"; do
        [[ ${sh%%-*} != bash ]] || bash_shells+=("$sh")
    done
    ((${#bash_shells[@]})) || { note "trap: no bash to measure"; return; }
    # A few microseconds a line: CPU time, and more lines per session.
    timer=cpu
    local IDLE_STEPS=$((IDLE_STEPS * 5))
    : >"$records"
    note "trap: ${#bash_shells[@]} bash versions, ${ROUNDS} rounds, $IDLE_STEPS lines per session"
    measure "$records" bash_shells scenarios tools
    summarize "$records" >"$summary"
    timer=wall
    echo "## The DEBUG trap: added per command line that changes no folder (median of $ROUNDS rounds, CPU time)"
    echo
    echo "| shell | command line | hook without the trap | hook with it | the trap's part |"
    echo "| --- | --- | --- | --- | --- |"
    local with without what
    for sh in "${bash_shells[@]}"; do
        for scenario in "${scenarios[@]}"; do
            with=$(lookup "$summary" "$sh" "$scenario" autovenv 4)
            without=$(lookup "$summary" "$sh" "$scenario" autovenv-notrap 4)
            what="one builtin (an idle prompt)"
            [[ $scenario == idle ]] || what="five builtins"
            echo "| $sh | $what | $(fmt_us "$without") | $(fmt_us "$with") | $(awk -v a="$with" -v b="$without" 'BEGIN { printf "%.1f µs", a - b }') |"
        done
    done
    echo
}

long_path=$(path_of 1000)

# How the hook hands the binary its bookkeeping, for the calls made outside
# a shell below: as arguments (`--foreign '' --local VALUE`, current builds)
# or in __AUTOVENV_LOCAL (older ones; set as well, harmlessly). Each use
# appends the value.
bookkeeping=()
if (cd "$work" && env -i HOME="$work" PATH="$base_path" "$AUTOVENV_BIN" export bash --foreign '' --local '' >/dev/null 2>&1); then
    bookkeeping=(--foreign '' --local)
fi

versions() {
    local sh
    echo "# hook-latency: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- machine: $(nproc) cores, load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- autovenv: $("$AUTOVENV_BIN" --version) ($AUTOVENV_BIN)"
    if [[ " ${peers[*]-} " == *" direnv "* ]]; then echo "- direnv: $(direnv version)"; fi
    if [[ " ${peers[*]-} " == *" mise "* ]]; then echo "- mise: $(mise --version 2>/dev/null | head -1)"; fi
    for sh in "${shells[@]}"; do
        # shellcheck disable=SC2016 # expanded by the shell named
        case ${sh%%-*} in
        bash) echo "- $sh: $("${shell_exe[$sh]}" -c 'echo $BASH_VERSION')" ;;
        zsh) echo "- $sh: $("${shell_exe[$sh]}" -c 'echo $ZSH_VERSION')" ;;
        fish) echo "- $sh: $("${shell_exe[$sh]}" -c 'echo $version')" ;;
        esac
    done
    echo "- rounds: $ROUNDS; steps per session: $IDLE_STEPS idle prompts, $CD_STEPS cds (leave and enter: $CD_STEPS of each)"
    echo "- every kind of environment (ALL_KINDS): $(if [[ -n ${ALL_KINDS-} ]]; then echo on; else echo off; fi)"
    echo
}

versions
for mode in "${modes[@]}"; do
    if [[ $mode == trap ]]; then trap_mode; else "$mode"; fi
done
echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
