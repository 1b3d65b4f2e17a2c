# autovenv's hook for zsh. Load it with this line in ~/.zshrc:
#     eval "$(autovenv hook zsh)"
# The binary's path replaces @AUTOVENV_BIN@ below, quoted for zsh.
#
# How it stays cheap: the binary leaves behind __autovenv_unchanged, a test
# made only of builtins that replays every question it asked the file system.
# Before each prompt, and on each change of directory, the hook runs that
# test; only when an answer differs does it start the binary. A `cd` inside
# a command line runs the chpwd hook, which refreshes the test, so the
# precmd that follows starts nothing; a `cd` typed alone is left to the
# precmd. One process for a `cd` that enters or switches a project, none
# for one within a project or out of every project (src/region.rs), none
# per idle prompt.

# Only interactive shells get the hook (docs/behaviour.md).
if [[ -o interactive ]]; then

typeset -g __autovenv_bin=@AUTOVENV_BIN@

# Loading the hook again starts from a clean slate.
typeset -g __autovenv_local=
typeset -g __autovenv_leave_ready= __autovenv_same_ok= __autovenv_known=
typeset -g __autovenv_lone=
__autovenv_unchanged() { \builtin return 1 }
# What the binary saw while printing this hook, when the first prompt has
# nothing to change: then that prompt starts no process either.
@AUTOVENV_INITIAL@

# Before each prompt: a command line is over. What changed during it is
# announced now, and a `cd` back to where it started no longer has anything
# to undo.
__autovenv_hook() {
    # $? belongs to the user's last command.
    \builtin local __autovenv_status=$?
    if [[ -n ${__autovenv_back_dir+x} ]]; then
        \builtin unset __autovenv_back_dir
        \builtin unfunction __autovenv_back 2>/dev/null
    fi
    \builtin typeset -g __autovenv_line_dir=$PWD __autovenv_same_ok= __autovenv_lone=
    __autovenv_unchanged || __autovenv_left || __autovenv_apply
    if (( ${#__autovenv_said[@]} )); then
        \builtin print -rl -- "${__autovenv_said[@]/#/autovenv: }" >&2
        __autovenv_said=()
    fi
    \builtin return $__autovenv_status
}

# A change of directory during a command line (`cd proj && python`, a
# function that jumps somewhere and back): the switch happens at once, so
# what runs next on the line has the right environment, and the binary
# leaves ready what undoes it. Coming back to where the line started
# applies that with no process, and nothing is said: seen from the prompt,
# nothing changed.
__autovenv_chpwd() {
    \builtin local __autovenv_status=$?
    # A line that is one `cd` (see __autovenv_preexec): the prompt's check,
    # which comes next, is this change's only one.
    if [[ -n $__autovenv_lone ]]; then
        \builtin typeset -g __autovenv_lone=
    elif [[ -n ${__autovenv_back_dir+x} && $PWD == "$__autovenv_back_dir" ]]; then
        __autovenv_back
        \builtin unset __autovenv_back_dir
        __autovenv_said=()
        \builtin unfunction __autovenv_back 2>/dev/null
    elif __autovenv_same_ok= && __autovenv_unchanged; then
        :
    elif [[ -z ${__autovenv_back_dir+x} ]] && __autovenv_left; then
        # Left with no process; the way back is ready too while nothing
        # else changed on this line.
        if [[ -n ${__autovenv_line_dir+x} ]]; then
            \builtin typeset -g __autovenv_back_dir=$__autovenv_line_dir
            __autovenv_back() {
                \builtin eval -- "${__autovenv_back_code-}"
                \builtin typeset -g __autovenv_leave_ready=1
            }
        fi
    else
        if [[ -n ${__autovenv_line_dir+x} ]]; then
            __autovenv_apply --back-to "$__autovenv_line_dir"
        else
            __autovenv_apply
        fi
    fi
    \builtin return $__autovenv_status
}

# Before a command line runs: whether it is one `cd`, `pushd` or `popd` of
# the builtin and nothing else ($3 is the text to run, aliases expanded).
# Then nothing runs after its change of directory but the other chpwd
# hooks and the prompt, which checks anyway: the chpwd hook leaves the
# check to it, one check per `cd` instead of two (as bash's DEBUG trap
# does). A line with anything after the `cd` (`;`, `&&`, `|`, a newline;
# a `(` or a backquote, to be sure) or a `cd` of a function switches
# at the change of directory, for what runs after it.
# (The prompt empties the flag. Most lines are ruled out by the one `case`.)
__autovenv_preexec() {
    case $3 in
    cd | cd[[:blank:]]* | pushd | pushd[[:blank:]]* | popd | popd[[:blank:]]*)
        [[ $3 == *[\;\&\|\(\)\`$'\n']* ]] || (( ${+functions[${3%%[[:blank:]]*}]} )) ||
            \builtin typeset -g __autovenv_lone=1
        ;;
    esac
    \builtin return 0
}

# A message held for the prompt (see above).
typeset -ga __autovenv_said
__autovenv_say() {
    __autovenv_said+=("$1")
}

__autovenv_apply() {
    # The user's prompt options decide how the prompt prefix is escaped; they
    # are read before `emulate` resets them for this function.
    \builtin local __autovenv_popts=
    [[ -o promptsubst ]] && __autovenv_popts+=s
    [[ -o promptbang ]] && __autovenv_popts+=b
    # The user's options (KSH_ARRAYS, SH_WORD_SPLIT, NO_UNSET...) must not
    # change what this code means; LOCAL_TRAPS comes with `emulate -L`, so
    # the INT trap below ends with the function: a Ctrl-C cannot stop the
    # statements half-way.
    \builtin emulate -L zsh
    \builtin trap '' INT
    \builtin local __autovenv_code
    # Bookkeeping, the hand-activation flag and which build's hook this is
    # go as arguments (see the bash hook).
    __autovenv_code=$("$__autovenv_bin" export zsh --hook "${__autovenv_hook_id-}" "$@" \
        --local "$__autovenv_local" --foreign "${_OLD_VIRTUAL_PATH+1}" \
        --stale "${__autovenv_stale-}") || \builtin return 0
    [[ -z $__autovenv_code ]] || \builtin eval -- "$__autovenv_code"
    \builtin typeset -g __autovenv_stale=
}

# True when the first line of file $1 is exactly $2 (the name in a
# .venv-name). `read` is a builtin: no process is started.
__autovenv_line_is() {
    \builtin emulate -L zsh
    \builtin local __autovenv_line=
    [[ -r $1 ]] || \builtin return 1
    { IFS= \builtin read -r __autovenv_line || [[ -n $__autovenv_line ]] } 2>/dev/null <$1 || \builtin return 1
    [[ $__autovenv_line == $2 ]]
}

# The region's walk (src/region.rs, and the same function in the bash
# hook): true when the decision the binary made for $__autovenv_vdir holds
# at $PWD too. Every folder from $PWD up to $__autovenv_top (or `/`) must
# hold none of the names the search asks for: known so when it is a folder
# the binary looked at (or, $__autovenv_known, an earlier walk found clean)
# and still older than the stamp made before it looked, else asked by
# __autovenv_clean.
# With --outside: whether no folder from $PWD up to `/` holds a name.
__autovenv_walk() {
    # Out of the region's top, before anything is set up (see the bash hook).
    [[ -n ${1-} || -z ${__autovenv_top-} || $PWD == "$__autovenv_top" ||
        $PWD == "${__autovenv_top%/}/"* ]] || \builtin return 1
    \builtin emulate -L zsh
    \builtin local d="$PWD" top="${__autovenv_top-}" v="${__autovenv_vdir-}" \
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
        chain+=("$d")
        (( ++n ))
        [[ $d == / ]] && break
        d=${d%/*}
        d=${d:-/}
    done
    # A Pipfile counts only so many folders up (PIPENV_MAX_DEPTH).
    [[ -z $max ]] || (( n < max )) || \builtin return 1
    \builtin typeset -ga __autovenv_here_dirs
    __autovenv_here_dirs=("${chain[@]}")
    # (Leaving keeps this for the region it enters: __autovenv_left.)
    if [[ ${1-} == --outside ]]; then
        \builtin typeset -g __autovenv_walked=1
        \builtin return 0
    fi
    # Moving up keeps the deeper folders known (see the bash hook).
    [[ $v == "$PWD" || $v == "${PWD%/}/"* ]] || v=$PWD
    \builtin typeset -g __autovenv_known=$v __autovenv_vdir=$PWD
    __autovenv_rebuild
}

# Every folder from $PWD up to the region's top ($__autovenv_here_dirs,
# from the walk) is known now: the next prompts here test one `-ot` per
# folder, as after a run of the binary, with the same function whatever
# the folders (see the bash hook).
__autovenv_rebuild() {
    __autovenv_here() {
        [[ $PWD == "${__autovenv_vdir-}" ]] || { __autovenv_walk; \builtin return }
        \builtin local __autovenv_d __autovenv_new=''
        for __autovenv_d in "${__autovenv_here_dirs[@]}"; do
            [[ $__autovenv_d -ot ${__autovenv_stamp-} ]] || {
                __autovenv_clean "$__autovenv_d" || { __autovenv_walk; \builtin return }
                __autovenv_new=1
            }
        done
        [[ -z $__autovenv_new ]] || __autovenv_renew
    }
}

# The hook's own stamp, for folders newer than the binary's (see the bash
# hook). Always true.
__autovenv_renew() {
    \builtin emulate -L zsh
    \builtin local s="${__autovenv_stamp-}" p="${__autovenv_renewing-}" d
    [[ -n $s ]] || \builtin return 0
    if [[ -n $p && ${__autovenv_renewing_for-} == "$s" ]]; then
        (( SECONDS - ${__autovenv_renewing_at:-0} >= 3 )) || \builtin return 0
        for d in "${__autovenv_here_dirs[@]}"; do
            [[ $d -ot $p ]] || { p=''; \builtin break }
        done
        # (What was known from the older stamp is asked again: see bash.)
        if [[ -n $p ]]; then
            \builtin typeset -g __autovenv_stamp=$p __autovenv_renewing='' \
                __autovenv_known=${__autovenv_vdir-} __autovenv_above=''
            \builtin return 0
        fi
    fi
    p="${s%-r[12]}-r1"
    [[ $p != "$s" ]] || p="${s%-r[12]}-r2"
    { : >|"$p" } 2>/dev/null || \builtin return 0
    \builtin typeset -g __autovenv_renewing=$p __autovenv_renewing_for=$s \
        __autovenv_renewing_at=$SECONDS
}

# Leaving the project for a folder with no project, with the statements
# the binary left ready (see the bash hook).
__autovenv_left() {
    [[ -n ${__autovenv_leave_ready-} && -n ${__autovenv_top-} ]] || \builtin return 1
    [[ $PWD != "$__autovenv_top" && $PWD != "${__autovenv_top%/}/"* ]] || \builtin return 1
    \builtin typeset -g __autovenv_walked=
    # (The check just asked the variables and files: see the bash hook.)
    [[ -n ${__autovenv_same_ok-} ]] && __autovenv_walk --outside || \builtin return 1
    \builtin eval -- "${__autovenv_leave_code-}"
    # The walk just looked at every folder up to `/`: the new region's.
    if [[ -n $__autovenv_walked ]]; then
        \builtin typeset -g __autovenv_vdir=$PWD
        __autovenv_rebuild
    fi
}

# Removes the first PATH entry equal to $1: the one autovenv put there.
# Every other entry, and every change the user made, stays.
__autovenv_path_remove() {
    \builtin emulate -L zsh
    \builtin local i=${path[(ie)$1]}
    (( i <= $#path )) && path[i]=()
    \builtin return 0
}

# The prompt prefix: autovenv removes only the prefix it added, and only while
# it is still at the front of PS1. PS1 is never exported. The name is escaped
# for zsh's prompt expansion (`%` always; `$`, `\` and backquotes under
# PROMPT_SUBST, where they would run code; `!` under PROMPT_BANG).
__autovenv_prompt() {
    \builtin emulate -L zsh
    if [[ -n $__autovenv_prefix && $PS1 == ${__autovenv_prefix}* ]]; then
        PS1=${PS1[${#__autovenv_prefix}+1,-1]}
    fi
    typeset -g __autovenv_prefix=
    if (($#)); then
        \builtin local name=${1//\%/%%}
        if [[ ${__autovenv_popts-} == *s* ]]; then
            name=${name//\\/\\\\}
            name=${name//\$/\\\$}
            name=${name//\`/\\\`}
        fi
        [[ ${__autovenv_popts-} == *b* ]] && name=${name//\!/!!}
        __autovenv_prefix="($name) "
        PS1=$__autovenv_prefix$PS1
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
    \builtin unfunction deactivate 2>/dev/null
    \builtin return 0
}

# A venv's own activate script ran in this shell (sourced by hand, or typed
# by an editor) for the environment autovenv now takes over: what it saved
# to restore goes, with its prompt prefix and its `deactivate`, as its own
# `deactivate` would take them. PATH and the variables are settled by the
# statements around this call. (pydoc and psvar are virtualenv's.)
__autovenv_forget_script() {
    [[ -n ${_OLD_VIRTUAL_PS1+x} ]] && PS1=$_OLD_VIRTUAL_PS1
    [[ -n ${_OLD_VIRTUAL_PSVAR+x} ]] && psvar[9]=$_OLD_VIRTUAL_PSVAR
    \builtin unset _OLD_VIRTUAL_PATH _OLD_VIRTUAL_PS1 _OLD_VIRTUAL_PYTHONHOME _OLD_VIRTUAL_PSVAR \
        _OLD_PKG_CONFIG_PATH _OLD_VIRTUAL_TCL_LIBRARY _OLD_VIRTUAL_TK_LIBRARY 2>/dev/null
    \builtin unfunction deactivate pydoc 2>/dev/null
    \builtin return 0
}

# `autovenv allow`, `deny`, `new`... typed in this shell take effect at the
# next prompt without a cd.
# __AUTOVENV_SHELL tells `autovenv doctor` that the hook is loaded, and where.
autovenv() {
    __AUTOVENV_SHELL=zsh "$__autovenv_bin" "$@"
    \builtin local __autovenv_status=$?
    __autovenv_unchanged() { \builtin return 1 }
    \builtin typeset -g __autovenv_stale=1
    # and what was kept ready for leaving.
    \builtin typeset -g __autovenv_leave_ready=
    \builtin return $__autovenv_status
}

# Registered once however often this file is loaded, first in line.
() {
    \builtin emulate -L zsh
    (( ${precmd_functions[(Ie)__autovenv_hook]} )) || precmd_functions=(__autovenv_hook $precmd_functions)
    # An older hook registered __autovenv_hook for chpwd too.
    chpwd_functions=(${chpwd_functions:#__autovenv_hook})
    (( ${chpwd_functions[(Ie)__autovenv_chpwd]} )) || chpwd_functions=(__autovenv_chpwd $chpwd_functions)
    (( ${preexec_functions[(Ie)__autovenv_preexec]} )) || preexec_functions+=(__autovenv_preexec)
}

# Which build's hook this is (see the bash hook): set last.
typeset -g __autovenv_hook_id=@AUTOVENV_HOOK_ID@

fi
