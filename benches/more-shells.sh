#!/usr/bin/env bash
# What autovenv's nushell, xonsh and elvish hooks add to an idle prompt and
# to a `cd`, beside mise's hooks for the same shells and the floor (a hook
# that runs the smallest Rust program and applies the JSON it prints), in
# one run; a shell that is not installed is skipped with a note. docs/performance.md
# holds the latest figures.
#
# Usage: benches/more-shells.sh
# Settings: ROUNDS (default 7), IDLE_STEPS (200), CD_STEPS (20),
#   AUTOVENV_BIN (default: cargo build --release of this checkout),
#   NU (default: $AUTOVENV_TEST_NU, else nu on PATH; .ci/more-shells
#   installs it; .ci/more-shells installs xonsh and elvish too), MISE (default: mise on PATH; npm package @jdxcode/mise;
#   unset or missing: skipped with a note), KEEP=1 keeps the temporary folder.
#
# xonsh: the same, in one `xonsh -c` with time.perf_counter; a cd step is
# os.chdir plus what a real cd fires (on_chdir, then on_pre_prompt: both
# handlers for autovenv and for mise, which registers its one hook on both).
#
# Method: nushell has no way to be fed an interactive session from a pipe
# (piped, it runs a script and fires no prompt hooks), so each hook's own
# function, the one its pre_prompt and env_change.PWD hooks call, is called
# in a loop inside one nushell and timed with `timeit`: idle steps call it
# in a subfolder of an active project; cd steps `cd` between two projects
# and call it after each, minus the same loop with no hook. Median over
# rounds; the ratio is to the floor measured in the same round. It measures
# the hook's work, not the prompt's drawing, which is the same for all.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
: "${ROUNDS:=7}" "${IDLE_STEPS:=200}" "${CD_STEPS:=20}"
note() { printf 'more-shells: %s\n' "$*" >&2; }

nu=${NU:-${AUTOVENV_TEST_NU:-$(command -v nu || true)}}
[[ -n $nu && -x $nu ]] || {
    note "skipping nushell: not installed (eval \"\$(.ci/more-shells)\")"
    nu=
}
mise=${MISE:-$(command -v mise || true)}
[[ -n $mise ]] || note "skipping mise: not installed (npm install -g @jdxcode/mise)"
command -v rustc >/dev/null || { note "rustc is needed for the floor"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/more-shells.XXXXXX")
work=$(cd "$work" && pwd -P)
if [[ -n ${KEEP-} ]]; then note "keeping $work"; else trap 'rm -rf "$work"' EXIT; fi

if [[ -z ${AUTOVENV_BIN-} ]]; then
    note "building autovenv (cargo build --release)"
    (cd "$repo" && cargo build --release --quiet)
    AUTOVENV_BIN=$repo/target/release/autovenv
fi

cat >"$work/floor.rs" <<'EOF'
fn main() {
    println!("{{\"__floor_seen\": \"1\"}}");
}
EOF
rustc --edition 2021 -C opt-level=3 -C panic=abort -C strip=symbols -o "$work/floor" "$work/floor.rs"

home=$work/home
mkdir -p "$home/.config" "$work/central"
envs=(HOME="$home" PATH=/usr/local/bin:/usr/bin:/bin TERM=dumb LANG=C.UTF-8
    XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share"
    XDG_STATE_HOME="$home/.local/state" XDG_CACHE_HOME="$home/.cache"
    AUTOVENV_DATA_DIR="$work/data" AUTOVENV_HOME="$work/central" AUTOVENV_QUIET=1)
for p in alpha beta; do
    mkdir -p "$work/p/$p/src"
    python3 -m venv --without-pip "$work/p/$p/venv"
    printf '%s\n' '[env]' '_.python.venv = "venv"' >"$work/p/$p/mise.toml"
    env -i "${envs[@]}" "$AUTOVENV_BIN" allow "$work/p/$p" 2>/dev/null
    [[ -z $mise ]] || (cd "$work/p/$p" && env -i "${envs[@]}" "$mise" trust . >/dev/null 2>&1)
done
tools=(none floor autovenv)
[[ -z $mise ]] || tools+=(mise)
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
fmt() { awk -v ns="$1" 'BEGIN { if (ns >= 1000000) printf "%.2f ms", ns/1e6; else printf "%d µs", ns/1e3 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a/b }'; }
# The table for one shell: PREFIX names its two arrays (PREFIXidle, PREFIXcd).
table() {
    local title=$1 step
    echo
    echo "| $title | floor | autovenv | mise |"
    echo "| --- | --- | --- | --- |"
    for step in "${2}idle" "${2}cd"; do
        declare -n tab=$step
        local base f v tool name
        base=$(median <<<"${tab[none]}")
        f=$(($(median <<<"${tab[floor]}") - base))
        local cells=()
        for tool in autovenv mise; do
            if [[ -z ${tab[$tool]-} ]]; then cells+=("-"); continue; fi
            v=$(($(median <<<"${tab[$tool]}") - base))
            ((v > 0)) || v=0
            cells+=("$(fmt "$v") · $(ratio "$v" "$f")")
        done
        name=$([[ $step == *idle ]] && echo "idle prompt" || echo "cd: switch project")
        echo "| $name | $(fmt "$f") · 1 | ${cells[0]} | ${cells[1]} |"
    done
}

if [[ -n $nu ]]; then
env -i "${envs[@]}" "$AUTOVENV_BIN" hook nu >"$work/autovenv.nu"
[[ -z $mise ]] || env -i "${envs[@]}" "$mise" activate nu >"$work/mise.nu"

# One nushell per (tool, round), so no hook sees another's state.
run() { # TOOL -> "idle_ns cd_ns"
    local load=""
    case $1 in
    autovenv) load="source $work/autovenv.nu" ;;
    mise) load="source $work/mise.nu" ;;
    esac
    local hook
    case $1 in
    none) hook="" ;;
    floor) hook="^$work/floor | from json | load-env" ;;
    autovenv) hook="__autovenv_hook" ;;
    mise) hook="mise_hook" ;;
    esac
    (cd "$work/p/alpha/src" && env -i "${envs[@]}" "$nu" --no-config-file -c "
$load
def --env step [] { $hook }
step
let idle = (timeit { for i in 1..$IDLE_STEPS { step } }) / $IDLE_STEPS
let cd = (timeit { for i in 1..$CD_STEPS { cd $work/p/beta; step; cd $work/p/alpha; step } }) / (2 * $CD_STEPS)
print \$\"(\$idle | into int) (\$cd | into int)\"
")
}

declare -A idle cd
for ((r = 0; r < ROUNDS; r++)); do
    for tool in "${tools[@]}"; do
        read -r i c < <(run "$tool")
        idle[$tool]+="$i "
        cd[$tool]+="$c "
    done
done

"$nu" --version | sed 's/^/nushell /'
[[ -z $mise ]] || "$mise" --version | sed 's/^/mise /'
echo "rounds: $ROUNDS, idle steps: $IDLE_STEPS, cd steps: $((2 * CD_STEPS))"
echo
echo "| step | floor | autovenv | mise |"
echo "| --- | --- | --- | --- |"
for step in idle cd; do
    declare -n table=$step
    base=$(median <<<"${table[none]}")
    f=$(($(median <<<"${table[floor]}") - base))
    cells=()
    for tool in autovenv mise; do
        if [[ -z ${table[$tool]-} ]]; then cells+=("-"); continue; fi
        v=$(($(median <<<"${table[$tool]}") - base))
        ((v > 0)) || v=0
        cells+=("$(fmt "$v") · $(ratio "$v" "$f")")
    done
    name=$([[ $step == idle ]] && echo "idle prompt" || echo "cd: switch project")
    echo "| $name | $(fmt "$f") · 1 | ${cells[0]} | ${cells[1]} |"
done

fi

# ---------------------------------------------------------------------------
# xonsh
xonsh=$(command -v xonsh || true)
[[ -n $xonsh ]] || note "skipping xonsh: not installed (Debian package xonsh)"
if [[ -n $xonsh ]]; then
env -i "${envs[@]}" "$AUTOVENV_BIN" hook xonsh >"$work/autovenv.xsh"
[[ -z $mise ]] || env -i "${envs[@]}" "$mise" activate xonsh >"$work/mise.xsh"
xrun() { # TOOL -> "idle_ns cd_ns"
    (cd "$work/p/alpha/src" && env -i "${envs[@]}" "$xonsh" --no-rc -c "
import builtins, json, os, subprocess, time
from xonsh.built_ins import XSH
tool = '$1'
if tool == 'autovenv':
    execx(open('$work/autovenv.xsh').read())
    h = builtins.__autovenv
    idle = lambda: h.on_pre_prompt()
    moved = lambda: (h.on_chdir(), h.on_pre_prompt())
elif tool == 'mise':
    execx(open('$work/mise.xsh').read(), 'exec', globals())
    idle = lambda: mise_hook()
    moved = lambda: (mise_hook(), mise_hook())
elif tool == 'floor':
    def idle():
        XSH.env.update(json.loads(subprocess.run(['$work/floor'], stdout=subprocess.PIPE).stdout))
    moved = idle
else:
    idle = moved = lambda: None
def go(d):
    os.chdir(d)
    XSH.env['PWD'] = d
idle()
t = time.perf_counter_ns()
for i in range($IDLE_STEPS):
    idle()
i_ns = (time.perf_counter_ns() - t) // $IDLE_STEPS
t = time.perf_counter_ns()
for i in range($CD_STEPS):
    go('$work/p/beta'); moved(); go('$work/p/alpha'); moved()
c_ns = (time.perf_counter_ns() - t) // (2 * $CD_STEPS)
print(i_ns, c_ns)
" 2>"$work/xonsh-$1.err" | tail -n 1)
}
declare -A xidle xcd
for ((r = 0; r < ROUNDS; r++)); do
    for tool in "${tools[@]}"; do
        read -r i c < <(xrun "$tool") || {
            note "xonsh ($tool) failed: $(tail -n 3 "$work/xonsh-$tool.err")"
            exit 1
        }
        xidle[$tool]+="$i "
        xcd[$tool]+="$c "
    done
done
echo
"$xonsh" --version
echo
echo "| xonsh step | floor | autovenv | mise |"
echo "| --- | --- | --- | --- |"
for step in xidle xcd; do
    declare -n table=$step
    base=$(median <<<"${table[none]}")
    f=$(($(median <<<"${table[floor]}") - base))
    cells=()
    for tool in autovenv mise; do
        if [[ -z ${table[$tool]-} ]]; then cells+=("-"); continue; fi
        v=$(($(median <<<"${table[$tool]}") - base))
        ((v > 0)) || v=0
        cells+=("$(fmt "$v") · $(ratio "$v" "$f")")
    done
    name=$([[ $step == xidle ]] && echo "idle prompt" || echo "cd: switch project")
    echo "| $name | $(fmt "$f") · 1 | ${cells[0]} | ${cells[1]} |"
done
fi

# ---------------------------------------------------------------------------
# elvish: the same, in one `elvish -norc -c` timed with `time &on-end`. -c
# has no line editor, so a stand-in `edit:` namespace holds the
# before-readline list each hook adds itself to; an idle step runs that
# list, as a prompt does, and a cd step is a real `cd` (which fires
# after-chdir) followed by the list. mise's elvish hook is a module whose
# `activate` turns it on; it runs `mise hook-env` in both places.
elvish=$(command -v elvish || true)
[[ -n $elvish ]] || note "skipping elvish: not installed (Debian package elvish)"
if [[ -n $elvish ]]; then
env -i "${envs[@]}" "$AUTOVENV_BIN" hook elvish >"$work/autovenv.elv"
[[ -z $mise ]] || env -i "${envs[@]}" "$mise" activate elvish >"$work/mise.elv"
erun() { # TOOL -> "idle_ns cd_ns"
    # Loaded at the top level: an eval inside a block would not see the
    # stand-in edit: namespace.
    local load=""
    case $1 in
    autovenv) load="eval (slurp < '$work/autovenv.elv')" ;;
    mise) load="var m = (eval &on-end={|ns| put \$ns } (slurp < '$work/mise.elv')); \$m[activate~]" ;;
    floor) load="fn floor {
        var seen = ((external '$work/floor') | from-json)
        keys \$seen | each {|k| set-env \$k \$seen[\$k] }
    }
    set after-chdir = [\$@after-chdir {|_| floor }]
    set edit:before-readline = [\$@edit:before-readline \$floor~]" ;;
    esac
    # env -i drops PWD, which elvish sets only on a cd: the hook compares it.
    (cd "$work/p/alpha/src" && env -i "${envs[@]}" PWD="$work/p/alpha/src" "$elvish" -norc -c "
var edit: = (ns [&prompt={ } &before-readline=[] &add-var~={|n v| }])
$load
fn prompt { for h \$edit:before-readline { \$h } }
prompt
var i = 0
var c = 0
time &on-end={|d| set i = \$d } { for _ [(range $IDLE_STEPS)] { prompt } }
time &on-end={|d| set c = \$d } { for _ [(range $CD_STEPS)] { cd '$work/p/beta'; prompt; cd '$work/p/alpha'; prompt } }
echo (printf '%.0f %.0f' (/ (* \$i 1e9) $IDLE_STEPS) (/ (* \$c 1e9) (* 2 $CD_STEPS)))
" 2>"$work/elvish-$1.err" | tail -n 1)
}
declare -A eidle ecd
for ((r = 0; r < ROUNDS; r++)); do
    for tool in "${tools[@]}"; do
        read -r i c < <(erun "$tool") || {
            note "elvish ($tool) failed: $(tail -n 3 "$work/elvish-$tool.err")"
            exit 1
        }
        eidle[$tool]+="$i "
        ecd[$tool]+="$c "
    done
done
echo
echo "elvish $("$elvish" -version)"
table "elvish step" e
fi
