# shellcheck shell=bash
# shellcheck disable=SC2317 # functions here run from PROMPT_COMMAND or from evaluated output
# autovenv's hook for bash. Load it with this line in ~/.bashrc:
#     eval "$(autovenv hook bash)"
# The binary's path replaces @AUTOVENV_BIN@ below, quoted for bash.
#
# How it stays cheap: the binary leaves behind __autovenv_unchanged, a test
# made only of builtins that replays every question it asked the file system
# (is there a .venv-name here, a venv there, is it trusted...). Before each
# prompt the hook runs that test; only when an answer differs does it start
# the binary, which prints the statements to evaluate.

# Scripts that source ~/.bashrc must not start switching environments: the
# hook exists only in interactive shells (docs/behaviour.md).
if [[ $- == *i* ]]; then

__autovenv_bin=@AUTOVENV_BIN@

# Loading the hook again starts from a clean slate: the next prompt asks the
# binary, which then re-adopts whatever autovenv had activated.
__autovenv_local=
__autovenv_leave_ready=
__autovenv_known=
__autovenv_unchanged() { \builtin return 1; }
# What the binary saw while printing this hook, when the first prompt has
# nothing to change: then that prompt starts no process either.
@AUTOVENV_INITIAL@

__autovenv_hook() {
    # $? belongs to the user's last command: later PROMPT_COMMAND entries and
    # the prompt itself must still see it. (From the DEBUG trap it is called
    # after a `[[ ]]`, and that status is not returned.)
    # shellcheck disable=SC2319
    \builtin local __autovenv_status=$?
    # A command line is over. One that came back to where it started (a
    # `cd` inside it switched, see __autovenv_midline) gets the way back
    # the binary left ready, with no process; what changed is announced
    # now.
    if [[ -n ${__autovenv_back_dir+x} ]]; then
        if [[ ${PWD-} == "$__autovenv_back_dir" ]]; then
            __autovenv_back
            \builtin unset -v __autovenv_said
        fi
        \builtin unset -v __autovenv_back_dir
        \builtin unset -f __autovenv_back
    fi
    __autovenv_line_dir=${PWD-}
    # Where the hook last ran: the DEBUG trap below runs it again only when
    # a command has changed the folder since.
    __autovenv_pwd=${PWD-}
    # What the line did before its last `cd` is said before what that did
    # (the trap leaves a `cd` just before the prompt to the check below).
    [[ -z ${__autovenv_said+x} ]] || __autovenv_tell
    __autovenv_same_ok=
    __autovenv_unchanged || __autovenv_left || __autovenv_apply
    [[ -z ${__autovenv_said+x} ]] || __autovenv_tell
    \builtin return "$__autovenv_status"
}

# Says the messages held for the prompt.
__autovenv_tell() {
    \builtin printf 'autovenv: %s\n' "${__autovenv_said[@]}" >&2
    \builtin unset -v __autovenv_said
}

# The DEBUG trap's way in, after a `cd` inside a command line: the switch
# happens at once, so what runs next on the line has the right environment,
# and the binary (told where the line started) leaves ready what undoes it
# and holds its messages. Coming back to where the line started undoes it
# with no process, and nothing is said.
__autovenv_midline() {
    __autovenv_pwd=${PWD-}
    if [[ -n ${__autovenv_back_dir+x} && ${PWD-} == "$__autovenv_back_dir" ]]; then
        __autovenv_back
        \builtin unset -v __autovenv_back_dir __autovenv_said
        \builtin unset -f __autovenv_back
        \builtin return 0
    fi
    __autovenv_same_ok=
    __autovenv_unchanged && \builtin return 0
    # Leaving with no process; the way back is ready too while nothing
    # else changed on this line.
    if [[ -z ${__autovenv_back_dir+x} ]] && __autovenv_left; then
        if [[ -n ${__autovenv_line_dir+x} ]]; then
            __autovenv_back_dir=$__autovenv_line_dir
            __autovenv_back() {
                \builtin eval -- "${__autovenv_back_code-}"
                __autovenv_leave_ready=1
            }
        fi
        \builtin return 0
    fi
    if [[ -n ${__autovenv_line_dir+x} ]]; then
        __autovenv_apply --back-to "$__autovenv_line_dir"
    else
        __autovenv_apply
    fi
}

# A message held for the prompt (see above).
__autovenv_say() {
    __autovenv_said+=("$1")
}

__autovenv_apply() {
    \builtin local __autovenv_code
    # The shell-local bookkeeping and whether a hand-sourced activate script
    # is in charge (its _OLD_VIRTUAL_PATH is not exported) go to the binary
    # as arguments: nothing of them reaches the environment of anything else.
    # --stale: an `autovenv` command dropped the test (see below), so the
    # binary sends it again even if it has not changed.
    # --hook: which build's hook this is. The binary at this path may have
    # been replaced since (an upgrade); one of another build loads its own
    # hook before anything else.
    # `exec`: the subshell becomes the binary. bash does that by itself for
    # a lone command, except while a trap runs (the DEBUG trap below), where
    # it would fork a second time.
    __autovenv_code=$(\builtin exec "$__autovenv_bin" export bash --hook "${__autovenv_hook_id-}" "$@" \
        --local "${__autovenv_local-}" --foreign "${_OLD_VIRTUAL_PATH+1}" \
        --stale "${__autovenv_stale-}") || \builtin return 0
    # The statements are ordered so that stopping after any one of them (a
    # Ctrl-C) leaves a state the next prompt completes; the first one drops
    # the cached test so that the next prompt does ask.
    [[ -z $__autovenv_code ]] || \builtin eval -- "$__autovenv_code"
    __autovenv_stale=
}

# True when the first line of file $1 is exactly $2 (the name in a
# .venv-name). `read` is a builtin: no process is started.
__autovenv_line_is() {
    \builtin local __autovenv_line=
    [[ -r $1 ]] || \builtin return 1
    { IFS= \builtin read -r __autovenv_line || [[ -n $__autovenv_line ]]; } 2>/dev/null <"$1" || \builtin return 1
    [[ $__autovenv_line == "$2" ]]
}

# The region's walk (src/region.rs): true when the decision the binary made
# for the folder $__autovenv_vdir holds at $PWD too. Every folder from $PWD
# up to $__autovenv_top (or `/`) must hold none of the names the search asks
# for: known so when it is a folder the binary looked at (an ancestor of
# $__autovenv_vdir, or of $__autovenv_known, the deepest folder an earlier
# walk found so) and older than the stamp made before it looked (any
# change in it since would make it at least as new), else asked by
# __autovenv_clean, the binary's list of `-e` tests. Afterwards $PWD is the
# folder the region was checked at.
# With --outside: whether no folder from $PWD up to `/` holds a name.
__autovenv_walk() {
    # Out of the region's top (leaving, entering another project), before
    # anything is set up: a `cd` there asks the binary or tries leaving.
    [[ -n ${1-} || -z ${__autovenv_top-} || ${PWD-} == "$__autovenv_top" ||
        ${PWD-} == "${__autovenv_top%/}/"* ]] || \builtin return 1
    # Quoted: after `\builtin`, `local` is a plain command whose words split.
    \builtin local d="${PWD-}" top="${__autovenv_top-}" v="${__autovenv_vdir-}" \
        s="${__autovenv_stamp-}" n=0 moves="${__autovenv_moves-}" \
        max="${__autovenv_maxdepth-}"
    \builtin local -a chain
    # Out of the project, the folders above its root the binary found
    # clean are known ($__autovenv_above, the deepest of them).
    if [[ ${1-} == --outside ]]; then
        top='' v="${__autovenv_above-}" moves=1 max=''
    fi
    [[ $d == /* && ( -n $moves || $d == "$v" ) ]] || \builtin return 1
    [[ -z ${__autovenv_known-} || -n ${1-} ]] || v=$__autovenv_known
    while [[ $d != "$top" ]]; do
        [[ -n $s && $d -ot $s && ( $v == "$d" || $v == "${d%/}/"* ) ]] ||
            __autovenv_clean "$d" || \builtin return 1
        chain[n]=$d
        n=$((n + 1))
        [[ $d == / ]] && break
        d=${d%/*}
        d=${d:-/}
    done
    # A Pipfile counts only so many folders up (PIPENV_MAX_DEPTH).
    [[ -z $max ]] || ((n < max)) || \builtin return 1
    # (bash before 4.4 calls an empty array unset.)
    __autovenv_here_dirs=(${chain[@]+"${chain[@]}"})
    # (Leaving keeps this for the region it enters: __autovenv_left.)
    if [[ ${1-} == --outside ]]; then
        __autovenv_walked=1
        \builtin return 0
    fi
    # Moving up keeps the deeper folders known (their `-ot` is asked again
    # when they are walked through).
    [[ $v == "${PWD-}" || $v == "${PWD%/}/"* ]] || v=${PWD-}
    __autovenv_known=$v
    __autovenv_vdir=${PWD-}
    __autovenv_rebuild
}

# Every folder from $PWD up to the region's top ($__autovenv_here_dirs,
# from the walk) is known now: the next prompts here test one `-ot` per
# folder, as after a run of the binary, and ask the names only of a folder
# newer than the stamp (a home folder written to since: without that, its
# every prompt would walk). The test is the same function whatever the
# folders: nothing is quoted or evaluated.
__autovenv_rebuild() {
    __autovenv_here() {
        [[ ${PWD-} == "${__autovenv_vdir-}" ]] || { __autovenv_walk; \builtin return; }
        \builtin local __autovenv_d __autovenv_new=''
        for __autovenv_d in ${__autovenv_here_dirs[@]+"${__autovenv_here_dirs[@]}"}; do
            [[ $__autovenv_d -ot ${__autovenv_stamp-} ]] || {
                __autovenv_clean "$__autovenv_d" || { __autovenv_walk; \builtin return; }
                __autovenv_new=1
            }
        done
        [[ -z $__autovenv_new ]] || __autovenv_renew
    }
}

# A folder newer than the stamp (made or written to in the two seconds
# the binary dates its stamp back, as after `git clone` and `cd`) is asked
# its names at every prompt, until the binary next runs. So the hook makes
# a stamp of its own beside the binary's, an empty file, and takes it for
# the stamp at a prompt at least two seconds later (the binary's margin
# for file systems with coarse times), if every folder is still older than
# it: this prompt has just asked the newer ones their names, and a change
# after that dates its folder no earlier than the new stamp. Two names
# take turns, so a shell leaves at most two files per stamp of the
# binary's, which removes them with it (src/region.rs). Always true.
__autovenv_renew() {
    \builtin local s="${__autovenv_stamp-}" p="${__autovenv_renewing-}" d
    [[ -n $s ]] || \builtin return 0
    if [[ -n $p && ${__autovenv_renewing_for-} == "$s" ]]; then
        ((SECONDS - ${__autovenv_renewing_at:-0} >= 3)) || \builtin return 0
        for d in ${__autovenv_here_dirs[@]+"${__autovenv_here_dirs[@]}"}; do
            [[ $d -ot $p ]] || { p=''; \builtin break; }
        done
        # What was known from the older stamp was looked at before this
        # one was made: the folders below (__autovenv_known) and above the
        # project root are asked their names again.
        if [[ -n $p ]]; then
            __autovenv_stamp=$p __autovenv_renewing='' __autovenv_known=${__autovenv_vdir-}
            __autovenv_above=''
            \builtin return 0
        fi
    fi
    p="${s%-r[12]}-r1"
    [[ $p != "$s" ]] || p="${s%-r[12]}-r2"
    { : >|"$p"; } 2>/dev/null || \builtin return 0
    __autovenv_renewing=$p __autovenv_renewing_for=$s __autovenv_renewing_at=$SECONDS
}

# Leaving the project for a folder with no project: the binary left the
# statements ready ($__autovenv_leave_code) beside the check they go with. They
# apply when that check's variables and files still hold and no folder from
# $PWD up holds a name; anything else asks the binary.
__autovenv_left() {
    [[ -n ${__autovenv_leave_ready-} && -n ${__autovenv_top-} ]] || \builtin return 1
    [[ ${PWD-} != "$__autovenv_top" && ${PWD-} != "${__autovenv_top%/}/"* ]] || \builtin return 1
    __autovenv_walked=
    # The check, which always runs just before, asked the variables and
    # files, and noted whether they held: __autovenv_unchanged.
    [[ -n ${__autovenv_same_ok-} ]] && __autovenv_walk --outside || \builtin return 1
    \builtin eval -- "${__autovenv_leave_code-}"
    # The walk just looked at every folder up to `/`: the new region's.
    if [[ -n $__autovenv_walked ]]; then
        __autovenv_vdir=${PWD-}
        __autovenv_rebuild
    fi
}

# Removes the first PATH entry equal to $1: the one autovenv put there.
# Every other entry, and every change the user made, stays. The pattern is
# quoted, so nothing in the entry is a wildcard; PATH stays exported.
__autovenv_path_remove() {
    # Usually the entry is still the first: one comparison and one cut, less
    # than half the general case below on a long PATH (bash walks the whole
    # value once per string operation). `test` compares bytes, whatever the
    # user's nocasematch; the offsets are counted the same way on both sides,
    # so if they disagreed on odd bytes the comparison fails and the general
    # case runs.
    if [[ -n ${PATH+x} ]] && \builtin test "${PATH:0:${#1}+1}" = "$1:"; then
        PATH=${PATH:${#1}+1}
        \builtin return 0
    fi
    \builtin local __autovenv_p=":${PATH-}:"
    __autovenv_p=${__autovenv_p/":$1:"/:}
    __autovenv_p=${__autovenv_p#:}
    PATH=${__autovenv_p%:}
}

# The prompt prefix: autovenv removes only the prefix it added, and only while
# it is still at the front of PS1. PS1 is never exported.
__autovenv_prompt() {
    if [[ -n ${__autovenv_prefix-} && ${PS1-} == "$__autovenv_prefix"* ]]; then
        PS1=${PS1:${#__autovenv_prefix}}
    fi
    __autovenv_prefix=
    if (($#)); then
        __autovenv_prefix="($1) "
        PS1=$__autovenv_prefix${PS1-}
    fi
}

# `deactivate`, as a venv's own activate script would define it. Typed by the
# user, it switches the project off until the shell leaves it (docs/behaviour.md).
__autovenv_define_deactivate() {
    deactivate() {
        __autovenv_apply --user-deactivate
    }
}

__autovenv_forget_deactivate() {
    \builtin unset -f deactivate
}

# A venv's own activate script ran in this shell (sourced by hand, or typed
# by an editor) for the environment autovenv now takes over: what it saved
# to restore goes, with its prompt prefix and its `deactivate`, as its own
# `deactivate` would take them. PATH and the variables are settled by the
# statements around this call. (pydoc is virtualenv's.)
__autovenv_forget_script() {
    if [[ -n ${_OLD_VIRTUAL_PS1+x} ]]; then
        PS1=$_OLD_VIRTUAL_PS1
    fi
    \builtin unset -v _OLD_VIRTUAL_PATH _OLD_VIRTUAL_PS1 _OLD_VIRTUAL_PYTHONHOME \
        _OLD_PKG_CONFIG_PATH _OLD_VIRTUAL_TCL_LIBRARY _OLD_VIRTUAL_TK_LIBRARY
    \builtin unset -f deactivate pydoc 2>/dev/null
    \builtin return 0
}

# `autovenv allow`, `deny`, `new`... typed in this shell take effect at the
# next prompt without a cd.
# __AUTOVENV_SHELL tells `autovenv doctor` that the hook is loaded, and where.
autovenv() {
    __AUTOVENV_SHELL=bash "$__autovenv_bin" "$@"
    \builtin local __autovenv_status=$?
    __autovenv_unchanged() { \builtin return 1; }
    __autovenv_stale=1
    # and what was kept ready for leaving.
    __autovenv_leave_ready=
    \builtin return "$__autovenv_status"
}

# A `cd` inside a command line (`cd proj && python app.py`): bash has no
# chpwd hook, so a DEBUG trap, which bash runs before every simple command at
# the top level, compares $PWD with the folder the hook last ran in and runs
# the hook when it differs. The comparison is one `[[ ]]`, which leaves $? and
# $_ alone (bash restores $? after a trap itself); a function call passes $_
# on as its last argument, which keeps it (docs/decisions.md says why a trap
# and not a wrapped `cd`). Before the check at the end of PROMPT_COMMAND it
# takes the slow way too, to tell the check that it is still the trap bash
# runs. bash runs the trap about as often as commands, and each run costs
# a few microseconds whatever it holds: the check is one command, no more.
# shellcheck disable=SC2016 # code for the trap, expanded when it runs
__autovenv_trap_alone='[[ ${PWD-} == "${__autovenv_pwd-}" && $BASH_COMMAND != __autovenv_trap_check ]] || __autovenv_chpwd "$_"'
# Behind a DEBUG trap of someone else's (bash-preexec's, the user's own),
# which runs first and keeps its $?, $_ and status: under `extdebug` a
# status of 1 skips the command, and bash-preexec relies on that.
# shellcheck disable=SC2016
__autovenv_trap_chained='__autovenv_chained "$?" "$_"'

# Before the prompt hook itself (the line is over: a `cd` typed alone
# gets here) nothing is done: the hook runs next and checks once, where
# the trap would check and the hook check again.
__autovenv_chpwd() {
    [[ $BASH_COMMAND != __autovenv_trap_check ]] || __autovenv_seen=1
    [[ ${PWD-} == "${__autovenv_pwd-}" || $BASH_COMMAND == __autovenv_hook ]] || __autovenv_midline
    \builtin return 0
}

__autovenv_chained() {
    [[ $BASH_COMMAND != __autovenv_trap_check ]] || __autovenv_seen=1
    [[ ${PWD-} == "${__autovenv_pwd-}" || $BASH_COMMAND == __autovenv_hook ]] || __autovenv_midline
    \builtin return "$1"
}

# Installs the trap, after any DEBUG trap already there. Reading the current
# trap and setting one that outlives the function both need the trace
# attribute (-t): without it bash hides the DEBUG trap inside a function,
# and bash 3.2 puts the old one back when the function returns. It is called
# from the top level of PROMPT_COMMAND, at the first prompt (so after the rc
# file, whatever it set) and whenever another trap has replaced this one
# (bash-preexec installs its own at its first prompt).
__autovenv_trap_install() {
    \builtin local __autovenv_prior=
    # `trap -p` prints `trap -- 'CODE' DEBUG`, quoted for the shell. bash 5.3
    # captures it without a subshell; older ones fork (no program is run).
    if ((BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 3))); then
        \builtin eval '__autovenv_prior=${ \builtin trap -p DEBUG; }'
    else
        __autovenv_prior=$(\builtin trap -p DEBUG)
    fi
    if [[ -n $__autovenv_prior ]]; then
        # (`local -a x=(...)` after `\builtin` is no assignment to bash.)
        \builtin local -a __autovenv_words
        \builtin eval "__autovenv_words=($__autovenv_prior)"
        __autovenv_prior=${__autovenv_words[2]-}
    fi
    # Ours, alone or at the end of a chain, is not chained again.
    [[ $__autovenv_prior != "$__autovenv_trap_alone" ]] || __autovenv_prior=
    __autovenv_prior=${__autovenv_prior%$'\n'"$__autovenv_trap_chained"}
    if [[ -n $__autovenv_prior ]]; then
        \builtin trap -- "$__autovenv_prior"$'\n'"$__autovenv_trap_chained" DEBUG
    else
        \builtin trap -- "$__autovenv_trap_alone" DEBUG
    fi
}
\builtin declare -ft __autovenv_trap_install

# The end of PROMPT_COMMAND asks whether the trap above ran just before it,
# and installs it if not. The installer is called from there, the top level:
# only there (or in a function with the trace attribute, called from there)
# can the DEBUG trap be read and set. bash restores $? after PROMPT_COMMAND,
# so the prompt still shows the user's.
__autovenv_trap_check() {
    [[ -n ${__autovenv_seen-} ]] || \builtin return 1
    __autovenv_seen=
}
__autovenv_trap_entry='__autovenv_trap_check||__autovenv_trap_install'

# AUTOVENV_BASH_DEBUG_TRAP=0, set before the hook loads, leaves the DEBUG
# trap out: a `cd` then takes effect at the next prompt, as in every bash
# before, and no command pays for the trap.
__autovenv_with_trap=1
[[ ${AUTOVENV_BASH_DEBUG_TRAP-} != 0 ]] || __autovenv_with_trap=

# PROMPT_COMMAND may be a string or (bash 5.1+) an array; the hook goes first
# (the environment is switched before any prompt theme runs), the trap check
# last (after bash-preexec's own installation, which it sets up to run at
# the first prompt). Both are registered once however often this file is
# loaded. Before 5.1 an array runs only its first element, which is the
# string form's value, so that is the form used there; ${PROMPT_COMMAND@a}
# needs 4.4, and fails under `set -u` when PROMPT_COMMAND is unset.
if ((BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1))) &&
    [[ -n ${PROMPT_COMMAND+x} ]] && \builtin eval '[[ ${PROMPT_COMMAND@a} == *a* ]]'; then
    __autovenv_found=
    for __autovenv_entry in "${PROMPT_COMMAND[@]}"; do
        [[ $__autovenv_entry == __autovenv_hook ]] && __autovenv_found+=h
        [[ $__autovenv_entry == "$__autovenv_trap_entry" ]] && __autovenv_found+=t
    done
    [[ $__autovenv_found == *h* ]] || PROMPT_COMMAND=(__autovenv_hook "${PROMPT_COMMAND[@]}")
    [[ $__autovenv_found == *t* || -z $__autovenv_with_trap ]] || PROMPT_COMMAND+=("$__autovenv_trap_entry")
    \builtin unset __autovenv_found __autovenv_entry
else
    # shellcheck disable=SC2128,SC2178 # this branch is the string form
    case ";${PROMPT_COMMAND-};" in
    *";__autovenv_hook;"* | *";__autovenv_hook"$'\n'*) ;;
    *) PROMPT_COMMAND="__autovenv_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}" ;;
    esac
    # shellcheck disable=SC2128,SC2178,SC2179
    case "$PROMPT_COMMAND" in
    *"$__autovenv_trap_entry"*) ;;
    *) [[ -z $__autovenv_with_trap ]] || PROMPT_COMMAND+=$'\n'$__autovenv_trap_entry ;;
    esac
fi
\builtin unset __autovenv_with_trap

# Which build's hook this is, passed with every call (--hook): set last, so
# that a hook loaded again only in part (a Ctrl-C while the binary's output
# loads a newer one) still says it is the older, and is loaded again whole.
__autovenv_hook_id=@AUTOVENV_HOOK_ID@

fi
