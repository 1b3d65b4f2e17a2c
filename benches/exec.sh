#!/usr/bin/env bash
# What `autovenv exec -- true` costs beside running `true` directly, and
# beside the other tools' ways of running a command in a project's
# environment: `uv run --no-sync true`, `direnv exec . true` and
# `mise exec -- true`. All are measured in one hyperfine run, in the same
# project (a real venv in `.venv`, with each tool's marker), and shown as a
# ratio to `true` run directly, measured within the same rounds.
# docs/performance.md holds the latest table.
#
# Usage: benches/exec.sh [--quick] [--require-all]
#   --quick        fewer runs: a smoke test, not a measurement
#   --require-all  fail instead of skipping a missing peer
# Settings: RUNS (default 300, spread over ROUNDS, default 5), AUTOVENV_BIN (default: a static
#   `cargo build --release` of this checkout, as the README installs it),
#   PEERS (default "uv direnv mise"), KEEP=1 keeps the temporary folder.
#
# It needs hyperfine (Debian package) and python3 with venv. Peers are taken
# from PATH; one that is missing is installed into the temporary folder
# when its registry can do that without root (uv from PyPI into a venv,
# mise from npm's @jdxcode/mise), and otherwise skipped with a line saying
# so (direnv: Debian package). Every tool runs with an isolated HOME and XDG
# folders, so nothing of yours is read or changed.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
quick=
require_all=
for arg in "$@"; do
    case $arg in
    --quick) quick=1 ;;
    --require-all) require_all=1 ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "exec bench: unknown argument '$arg' (try --help)" >&2
        exit 2
        ;;
    esac
done
note() { echo "exec bench: $*" >&2; }
die() {
    note "$*"
    exit 1
}
skip() { # TOOL WHY
    if [[ -n $require_all ]]; then die "$1 is missing ($2) and --require-all is set"; fi
    note "skipping $1: $2"
}
command -v hyperfine >/dev/null || die "hyperfine is needed (Debian package hyperfine)"
runs=${RUNS:-300}
[[ -z $quick ]] || runs=20

work=$(mktemp -d "${TMPDIR:-/tmp}/exec-bench.XXXXXX")
work=$(cd "$work" && pwd -P)
if [[ -n ${KEEP-} ]]; then note "keeping $work (KEEP is set)"; else trap 'rm -rf "$work"' EXIT; fi

if [[ -z ${AUTOVENV_BIN-} ]]; then
    host=$(rustc -vV | sed -n 's/^host: //p')
    note "building autovenv (cargo build --release --target $host, static)"
    (cd "$repo" && RUSTFLAGS='-C target-feature=+crt-static' cargo build --release --quiet --target "$host")
    AUTOVENV_BIN=$repo/target/$host/release/autovenv
fi
[[ -x $AUTOVENV_BIN ]] || die "no autovenv binary at $AUTOVENV_BIN"

# Peers: on PATH, or installed here.
tools=$work/tools
mkdir -p "$tools/bin"
declare -A bin=()
for peer in ${PEERS-uv direnv mise}; do
    if found=$(command -v "$peer"); then
        bin[$peer]=$found
        continue
    fi
    case $peer in
    uv)
        note "installing uv from PyPI into $tools/uv"
        if python3 -m venv "$tools/uv" >/dev/null && "$tools/uv/bin/pip" install --quiet --disable-pip-version-check uv >/dev/null 2>&1; then
            bin[uv]=$tools/uv/bin/uv
        else
            skip uv "pip install uv failed"
        fi
        ;;
    mise)
        note "installing mise from npm (@jdxcode/mise) into $tools/mise"
        if command -v npm >/dev/null && npm install --silent --prefix "$tools/mise" @jdxcode/mise >/dev/null 2>&1 &&
            [[ -x $tools/mise/node_modules/.bin/mise ]]; then
            bin[mise]=$tools/mise/node_modules/.bin/mise
        else
            skip mise "npm install @jdxcode/mise failed (or no npm)"
        fi
        ;;
    direnv) skip direnv "not on PATH (Debian package direnv)" ;;
    *) die "PEERS: unknown tool '$peer' (uv, direnv, mise)" ;;
    esac
done

# The project: a real venv in .venv, and each tool's way of naming it.
home=$work/home
proj=$work/proj
mkdir -p "$home" "$proj"
python3 -m venv --without-pip "$proj/.venv"
printf '%s\n' '[project]' 'name = "bench"' 'version = "0"' 'requires-python = ">=3"' >"$proj/pyproject.toml"
# shellcheck disable=SC2016 # direnv expands it, not this script
printf '%s\n' 'export VIRTUAL_ENV="$PWD/.venv"' 'PATH_add .venv/bin' >"$proj/.envrc"
printf '%s\n' '[env]' '_.python.venv = ".venv"' >"$proj/mise.toml"
env_vars=(
    HOME="$home" PATH="/usr/local/bin:/usr/bin:/bin" LANG=C.UTF-8
    XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share"
    XDG_STATE_HOME="$home/.local/state" XDG_CACHE_HOME="$home/.cache"
    AUTOVENV_DATA_DIR="$work/autovenv-data" UV_CACHE_DIR="$work/uv-cache"
    # direnv's "loading" lines: each tool runs quietly, as in a script.
    DIRENV_LOG_FORMAT=
)
in_env() { (cd "$proj" && env -i "${env_vars[@]}" "$@"); }
in_env "$AUTOVENV_BIN" allow . 2>/dev/null
[[ -z ${bin[direnv]-} ]] || in_env "${bin[direnv]}" allow . 2>/dev/null
[[ -z ${bin[mise]-} ]] || in_env "${bin[mise]}" trust . >/dev/null 2>&1

# Each must run `true` in the project's environment, and succeed, before
# it is timed: a tool that fails fast would look fast.
names=(true autovenv)
cmds=("true" "$AUTOVENV_BIN exec -- true")
[[ -z ${bin[uv]-} ]] || { names+=(uv); cmds+=("${bin[uv]} run --no-sync true"); }
[[ -z ${bin[direnv]-} ]] || { names+=(direnv); cmds+=("${bin[direnv]} exec . true"); }
[[ -z ${bin[mise]-} ]] || { names+=(mise); cmds+=("${bin[mise]} exec -- true"); }
check=()
for i in "${!cmds[@]}"; do
    probe=${cmds[$i]% true}
    [[ ${names[$i]} == true ]] && continue
    # shellcheck disable=SC2086,SC2016 # the command is words, split on purpose; sh expands it
    got=$(in_env $probe sh -c 'printf %s "${VIRTUAL_ENV-}"' 2>"$work/err") ||
        die "${names[$i]} failed: $(cat "$work/err")"
    [[ $got == "$proj/.venv" ]] || die "${names[$i]} did not give the project's environment (VIRTUAL_ENV=$got)"
    check+=("${names[$i]}")
done
note "each gives VIRTUAL_ENV=$proj/.venv: ${check[*]}"

# Rounds, the order of the commands rotated from one to the next, so that
# a machine busy with other work weighs on every tool alike; each round is
# one hyperfine run, and the ratios are taken within a round.
rounds=${ROUNDS:-5}
[[ -z $quick ]] || rounds=2
per_round=$(((runs + rounds - 1) / rounds))
n=${#cmds[@]}
for ((r = 0; r < rounds; r++)); do
    args=()
    for ((k = 0; k < n; k++)); do
        i=$(((k + r) % n))
        args+=(-n "${names[$i]}" "${cmds[$i]}")
    done
    (cd "$proj" && env -i "${env_vars[@]}" hyperfine -N --warmup 20 --runs "$per_round" \
        --export-json "$work/round-$r.json" "${args[@]}" >"$work/hyperfine.txt" 2>&1) ||
        { cat "$work/hyperfine.txt" >&2; die "hyperfine failed"; }
done

python3 - "$work"/round-*.json <<'EOF'
import json, statistics, sys
rounds = [{r["command"]: r for r in json.load(open(f))["results"]} for f in sys.argv[1:]]
order = ["true", "autovenv", "uv", "direnv", "mise"]
names = sorted(rounds[0], key=order.index)
labels = {"true": "`true`", "autovenv": "`autovenv exec -- true`",
          "uv": "`uv run --no-sync true`", "direnv": "`direnv exec . true`",
          "mise": "`mise exec -- true`"}
med = statistics.median
print("| command | median | x `true` | x `autovenv exec` |")
print("| --- | --- | --- | --- |")
for n in names:
    times = [t for r in rounds for t in r[n]["times"]]
    vs_true = med([r[n]["median"] / r["true"]["median"] for r in rounds])
    vs_mine = med([r[n]["median"] / r["autovenv"]["median"] for r in rounds])
    print("| {} | {:.2f} ms | {:.1f} | {:.2f} |".format(labels[n], med(times) * 1e3, vs_true, vs_mine))
EOF
echo
echo "$rounds rounds of $per_round runs of each (after 20 warm-up runs), the order rotated per round (hyperfine -N: no shell in between); each ratio is the median over rounds of the round's ratio of medians; $(nproc) CPUs, load average $(cut -d" " -f1-3 /proc/loadavg); $(uname -sr)"
for t in uv direnv mise; do
    [[ -z ${bin[$t]-} ]] || echo "- $t: $("${bin[$t]}" --version 2>/dev/null | head -1)"
done
echo "- hyperfine: $(hyperfine --version)"
