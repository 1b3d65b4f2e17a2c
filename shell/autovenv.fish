# autovenv's hook for fish. Load it with this line in
# ~/.config/fish/config.fish:
#     autovenv hook fish | source
# The binary's path replaces @AUTOVENV_BIN@ below, quoted for fish.
#
# How it stays cheap: the binary leaves behind __autovenv_unchanged, a test
# made only of builtins that replays every question it asked the file system.
# Before each prompt, and on each change of PWD, the hook runs that test; only
# when an answer differs does it start the binary. A `cd` inside a command
# line refreshes the test from the PWD handler, so the prompt that follows
# starts nothing; a `cd` typed alone is left to the prompt.

# Only interactive shells get the hook (docs/behaviour.md).
if status is-interactive

set -g __autovenv_bin @AUTOVENV_BIN@

# Loading the hook again starts from a clean slate.
set -g __autovenv_local ''
set -g __autovenv_leave_ready ''
set -g __autovenv_lone ''
function __autovenv_unchanged
    return 1
end
# What the binary saw while printing this hook, when the first prompt has
# nothing to change: then that prompt starts no process either.
@AUTOVENV_INITIAL@

# The check asks about many paths in one `path filter` call (fish 3.5+).
# Older fish gets the two forms it uses from this stand-in.
if not builtin -q path
    # Called as `path filter -q|-vq -- PATH...`.
    function path --description 'autovenv: path filter -q / -vq for fish < 3.5'
        set -l invert 0
        test "$argv[2]" = -vq; and set invert 1
        for p in $argv[4..-1]
            if test -e $p
                test $invert = 0; and return 0
            else
                test $invert = 1; and return 0
            end
        end
        return 1
    end
end

# Before each prompt: a command line is over. What changed during it is
# announced now, and a `cd` back to where it started no longer has anything
# to undo.
function __autovenv_hook --on-event fish_prompt
    if set -q __autovenv_back_dir[1]
        set -e __autovenv_back_dir
        functions -e __autovenv_back
    end
    set -g __autovenv_line_dir $PWD
    set -g __autovenv_same_ok ''
    set -g __autovenv_lone ''
    __autovenv_unchanged; or __autovenv_left; or __autovenv_apply
    if set -q __autovenv_said[1]
        printf 'autovenv: %s\n' $__autovenv_said >&2
        set -e __autovenv_said
    end
end

# A change of directory during a command line (`cd proj && python`, a
# function that jumps somewhere and back): the switch happens at once, so
# what runs next on the line has the right environment, and the binary
# leaves ready what undoes it. Coming back to where the line started
# applies that with no process, and nothing is said: seen from the prompt,
# nothing changed.
function __autovenv_on_pwd --on-variable PWD
    # A line that is one `cd` (see __autovenv_preexec): the prompt's check,
    # which comes next, is this change's only one.
    if test -n "$__autovenv_lone"
        set -g __autovenv_lone ''
        return
    end
    if set -q __autovenv_back_dir[1]; and test "$PWD" = "$__autovenv_back_dir"
        __autovenv_back
        set -e __autovenv_back_dir __autovenv_said
        functions -e __autovenv_back
        return
    end
    set -g __autovenv_same_ok ''
    __autovenv_unchanged; and return
    # Left with no process; the way back is ready too while nothing else
    # changed on this line.
    if not set -q __autovenv_back_dir[1]; and __autovenv_left
        if set -q __autovenv_line_dir[1]
            set -g __autovenv_back_dir $__autovenv_line_dir
            function __autovenv_back
                eval $__autovenv_back_code
                set -g __autovenv_leave_ready 1
            end
        end
        return
    end
    if set -q __autovenv_line_dir[1]
        __autovenv_apply --back-to $__autovenv_line_dir
    else
        __autovenv_apply
    end
end

# Before a command line runs: whether it is one `cd` and nothing else.
# Then nothing runs after the change of PWD but the rest of `cd` (fish's
# own only keeps the folder history), the other PWD handlers and the
# prompt, which checks anyway: the PWD handler leaves the check to it, one
# check per `cd` instead of two (as bash's DEBUG trap does). A line with
# anything after the `cd` (`;`, `&&`, `|`, a newline; a `(`, to be sure)
# switches at the change of PWD, for what runs after it. Telling fish's
# own `cd` from a user's takes a command substitution, which would cost
# half of what this saves: as in bash, a `cd` function that runs Python
# after its `builtin cd`, typed alone, runs the Python of before
# (docs/decisions.md).
# (The prompt empties the flag. Most lines do not start with `cd`: one
# glob match, cheaper than the pattern, rules them out.)
function __autovenv_preexec --on-event fish_preexec
    string match -q -- 'cd*' $argv[1]
    and string match -qr -- '^cd(\s[^;&|()\n]*)?$' $argv[1]
    and set -g __autovenv_lone 1
    return 0
end

# A message held for the prompt (see above).
function __autovenv_say
    set -ga __autovenv_said $argv[1]
end

function __autovenv_apply
    # Whether a hand-sourced activate script is in charge goes to the binary
    # with the shell-local bookkeeping, as arguments (a VAR=value prefix
    # would make fish build a new environment for the call).
    set -l foreign ''
    set -q _OLD_VIRTUAL_PATH; and set foreign 1
    # The binary prints its statements on one line, so this command
    # substitution holds one string (or none), and its status is the
    # binary's. Nothing is evaluated unless the binary succeeded. (`eval`
    # of one string costs a fraction of piping lines into `source`.)
    # --stale: an `autovenv` command dropped the test (see below), so the
    # binary sends it again even if it has not changed. --hook: which
    # build's hook this is (see the bash hook).
    set -l code ($__autovenv_bin export fish --hook "$__autovenv_hook_id" $argv --local "$__autovenv_local" --foreign $foreign --stale "$__autovenv_stale")
    or return 0
    # The statements are ordered so that stopping after any one of them (a
    # Ctrl-C) leaves a state the next prompt completes.
    eval $code
    set -g __autovenv_stale ''
end

# True when the first line of file $argv[1] is exactly $argv[2] (the name in
# a .venv-name). `read` is a builtin: no process is started.
function __autovenv_line_is
    # Quoted: with fish 4's `test-require-arg` feature, `test -r` with no
    # operand is an error, not a true.
    test -r "$argv[1]"; or return 1
    set -l line
    begin
        read line; or test -n "$line"
    end <$argv[1]; or return 1
    test "$line" = "$argv[2]"
end

# The region's walk (src/region.rs, and the same function in the bash
# hook): true when the decision the binary made for $__autovenv_vdir holds
# at $PWD too. Every folder from $PWD up to $__autovenv_top (or `/`) must
# hold none of the names the search asks for: known so when it is one of
# $__autovenv_vchain (folders looked at after the stamp was made) and still
# older than the stamp, else asked by __autovenv_clean. A command
# substitution costs fish 60-90 us, so there is none in fish 3.4 and later
# (before, one per walk that goes the long way), and no pipe.
# With --outside: whether no folder from $PWD up to `/` holds a name, and
# $PWD is not under $__autovenv_top.
function __autovenv_walk
    # The usual move within a project, before anything is set up: to the
    # region's top or to a folder known already (all its folders up to the
    # top are known then too), while every known folder is still older
    # than the stamp. One `test` call asks them all; a list of them only
    # grows so far.
    # ($__autovenv_ot holds the `test` words for the known folders: the
    # binary and every walk set the two together.)
    if test "$argv[1]" != --outside -a -n "$__autovenv_moves" -a -z "$__autovenv_maxdepth" -a -n "$__autovenv_stamp"
        and not set -q __autovenv_vchain[32]
        and begin
            test "$PWD" = "$__autovenv_top"; or contains -- $PWD $__autovenv_vchain
        end
        and test -n "$__autovenv_stamp" $__autovenv_ot
        set -g __autovenv_vdir $PWD
        __autovenv_rebuild
        return 0
    end
    if test "$argv[1]" = --outside
        # The usual way out, with no loop over $PWD's names: into one of
        # the folders above the project root that the binary found clean up
        # to `/`, or right below one of them (`cd ..`, `cd ~`,
        # `cd ~/Downloads`, a folder beside the project or beside its
        # parent). Those folders, with $PWD, are the new region's chain
        # (from $PWD itself, folders below it too: tested needlessly, never
        # wrongly), all asked in one `test` call with the words the binary
        # left beside them ($__autovenv_above_ot) while they are older than
        # the stamp; else one by one, the newer asked their names (a home
        # folder, written to whenever a history file is saved). $PWD can
        # be none of the project's folders: its root holds a name, and
        # those below have the root or one of them for parent. The parent
        # is cut off by a named capture and compared whole (fish before
        # 3.4 sets nothing from a capture: the long way below).
        if test "$__autovenv_above[-1]" = / -a -n "$__autovenv_stamp"
            and set -q __autovenv_above_ot[1]; and not set -q __autovenv_above[32]
            set -l chain
            if contains -- $PWD $__autovenv_above
                set chain $__autovenv_above
            else
                set -l parent
                if string match -rq -- '^(?<parent>.*)/[^/]+$' $PWD; and set -q parent[1]
                    and begin
                        test -n "$parent"; or set parent /
                    end
                    and contains -- $parent $__autovenv_above
                    __autovenv_clean $PWD; or return 1
                    set chain $PWD $__autovenv_above
                end
            end
            if set -q chain[1]
                if not test -n "$__autovenv_stamp" $__autovenv_above_ot
                    for d in $__autovenv_above
                        test "$d" -ot "$__autovenv_stamp"
                        or __autovenv_clean $d; or return 1
                    end
                end
                set -g __autovenv_walked $chain
                test "$chain[1]" = "$__autovenv_above[1]"
                and set -g __autovenv_walked_ot $__autovenv_above_ot
                or set -g __autovenv_walked_ot -a $PWD -ot $__autovenv_stamp $__autovenv_above_ot
                return 0
            end
        end
    else if test -n "$__autovenv_top" -a "$PWD" != "$__autovenv_top" -a "$__autovenv_top" != /
        # Not below the region's top: the binary decides, with no command
        # substitution. (With a `*` or `?` in the top's name the pattern
        # would be wider: the loop below compares folder by folder.)
        and not string match -q -- "$__autovenv_top/*" $PWD
        and not string match -q -- '*\**' $__autovenv_top
        and not string match -q -- '*\?*' $__autovenv_top
        return 1
    end
    set -l top $__autovenv_top
    set -l known $__autovenv_vchain
    set -l s $__autovenv_stamp
    set -l moves $__autovenv_moves
    set -l max $__autovenv_maxdepth
    set -l away ''
    if test "$argv[1]" = --outside
        set away $top
        test "$away" = /; and return 1
        set top ''
        # The folders above the project root the binary found clean.
        set known $__autovenv_above
        set moves 1
        set max ''
    end
    test -n "$moves"; or test "$PWD" = "$__autovenv_vdir"; or return 1
    # A folder name with a newline is left to the binary: the command
    # substitution below would split it.
    string match -q -- '*'\n'*' "$PWD"; and return 1
    # The usual moves need no command substitution (in fish 3.6 one costs
    # more than the rest of the walk): to the region's top or a folder
    # known (at the top of this function; here, when one of them is newer
    # than the stamp, the long way), or to a folder right below the one
    # the region was last checked at.
    set -l v $__autovenv_vdir
    if test -z "$away" -a -z "$max" -a -n "$s"; and not set -q known[32]
        if test "$PWD" != "$top" -a "$v" != /
            and not contains -- $PWD $known
            and begin
                test "$v" = "$top"; or contains -- $v $known
            end
            # (A `*` or `?` in the folder's name would be a wildcard.)
            and not string match -q -- '*\**' $v
            and not string match -q -- '*\?*' $v
            and string match -q -- "$v/*" $PWD
            and not string match -q -- "$v/*/*" $PWD
            __autovenv_clean $PWD; or return 1
            if test -n "$s" $__autovenv_ot -a $PWD -ot $s
                set -g __autovenv_vdir $PWD
                set -g __autovenv_vchain $known $PWD
                set -g __autovenv_ot $__autovenv_ot -a $PWD -ot $s
                __autovenv_rebuild
                return 0
            end
        end
    end
    # The folders below $top down to $PWD (with no top, `/` and all).
    set -l chain
    set -l below ''
    set -l quick ''
    if test -n "$away" -a "$known[-1]" = /; and not set -q known[32]
        # Out of the project into one of the folders above its root, or
        # right below one of them (`cd ..`, `cd ~`, `cd ~/Downloads`, a
        # folder beside the project or beside its parent): those folders,
        # known up to `/`, are the chain, with no command substitution.
        # (From $PWD: all of them, and one below $PWD is asked needlessly,
        # never wrongly. Where one above holds a name, as in a project
        # inside another, they stop there, and the long way asks the rest.)
        # The parent is cut off by a named capture, which sets the local
        # below, and compared whole: nothing in a name is a wildcard. (fish
        # before 3.4 sets no variable from a capture: it stays empty there,
        # and the long way is taken.)
        set -l parent
        if contains -- $PWD $known
            set chain $known
            set quick 1
        else if string match -rq -- '^(?<parent>.*)/[^/]+$' $PWD
            and set -q parent[1]
            test -n "$parent"; or set parent /
            for k in $known
                test "$k" = "$parent"; and set quick 1; and set chain $PWD
                test -n "$quick"; and set -a chain $k
            end
        end
    end
    if test -n "$quick"
        set below 1
    else if test -z "$top"
        set chain /
        set below 1
    else if test "$top" = /
        set below 1
    end
    set -l p ''
    # $PWD's folder names, from a named capture with --all (a list, and no
    # command substitution); fish before 3.4 sets none from a capture, and
    # splits $PWD in one (`/` has no names: split too, and cheap there). A
    # quick chain needs none: the loop then has nothing to do.
    set -l parts
    if test -z "$quick"
        string match -raq -- '(?<parts>[^/]+)' $PWD
        set -q parts[1]; or set parts (string split / -- $PWD)
    end
    for part in $parts
        test -n "$part"; or continue
        set p $p/$part
        if test -n "$below"
            set -a chain $p
        else if test "$p" = "$top"
            set below 1
        end
        test -n "$away" -a "$p" = "$away"; and return 1
    end
    test -n "$below"; or return 1
    for d in $chain
        if contains -- $d $known; and test -n "$s" -a "$d" -ot "$s"
        else
            __autovenv_clean $d; or return 1
        end
    end
    # A Pipfile counts only so many folders up (PIPENV_MAX_DEPTH).
    if test -n "$max"
        set -q chain[$max]; and return 1
    end
    # (Leaving keeps this for the region it enters: __autovenv_left.)
    if test -n "$away"
        set -g __autovenv_walked $chain
        return 0
    end
    set -g __autovenv_vdir $PWD
    set -g __autovenv_vchain $chain
    __autovenv_ot_words $chain
    __autovenv_rebuild
end

# The `test` words that ask each folder of $argv whether it is older than
# the stamp (`-a FOLDER -ot STAMP` each), in $__autovenv_ot: a list, so
# nothing is quoted or evaluated.
function __autovenv_ot_words
    set -g __autovenv_ot
    for d in $argv
        set -a __autovenv_ot -a $d -ot $__autovenv_stamp
    end
end

# Every folder from $PWD up to the region's top ($__autovenv_vchain) is
# known now: the next prompts here test one `-ot` per folder (the words
# in $__autovenv_ot), as after a run of the binary, with the one
# `__autovenv_here` the binary defines (src/shell/fish.rs). A copy: a walk
# that fails half-way leaves the test of the region it started from.
function __autovenv_rebuild
    set -g __autovenv_here_args $__autovenv_ot
end

# The hook's own stamp, for folders newer than the binary's (see the bash
# hook): `path mtime -R` is fish's clock here. Always true.
function __autovenv_renew
    set -l s $__autovenv_stamp
    test -n "$s" -a "$__autovenv_renew_failed" != "$s"; or return 0
    builtin -q path; or return 0
    set -l p $__autovenv_renewing
    if test -n "$p" -a "$__autovenv_renewing_for" = "$s"
        and set -l age (path mtime -R -- $p)
        test "$age" -ge 3; or return 0
        for d in $__autovenv_vchain
            test $d -ot $p; or begin
                set p ''
                break
            end
        end
        # The folders above the project root were known from the older
        # stamp, looked at before this one was made: asked again. (Those
        # of $__autovenv_vchain were all asked or tested just now.)
        if test -n "$p"
            set -g __autovenv_stamp $p
            set -g __autovenv_renewing ''
            set -g __autovenv_above
            set -g __autovenv_above_ot
            __autovenv_ot_words $__autovenv_vchain
            __autovenv_rebuild
            return 0
        end
    end
    set -l base (string replace -r -- '-r[12]$' '' $s)
    set p $base-r1
    test "$p" != "$s"; or set p $base-r2
    # (A redirection that fails warns whatever its stderr: asked first,
    # and not again for this stamp.)
    set -l dir (path dirname -- $p)
    if not test -d $dir -a -w $dir -a \( ! -e $p -o -f $p -a -w $p \)
        set -g __autovenv_renew_failed $s
        return 0
    end
    true >$p
    set -g __autovenv_renewing $p
    set -g __autovenv_renewing_for $s
    return 0
end

# Leaving the project for a folder with no project, with the statements
# the binary left ready (see the bash hook).
function __autovenv_left
    test -n "$__autovenv_leave_ready" -a -n "$__autovenv_top"; or return 1
    test "$PWD" != "$__autovenv_top"; or return 1
    set -g __autovenv_walked
    set -g __autovenv_walked_ot
    # (The check just asked the variables and files: see the bash hook.)
    test -n "$__autovenv_same_ok"; and __autovenv_walk --outside; or return 1
    eval $__autovenv_leave_code
    # The walk just looked at every folder up to `/`: the new region's.
    if set -q __autovenv_walked[1]
        set -g __autovenv_vdir $PWD
        set -g __autovenv_vchain $__autovenv_walked
        # (The quick way out left the words too.)
        if set -q __autovenv_walked_ot[1]
            set -g __autovenv_ot $__autovenv_walked_ot
        else
            __autovenv_ot_words $__autovenv_walked
        end
        __autovenv_rebuild
    end
    # (`set` keeps the status before it: that of a `set -q` above.)
    return 0
end

# Removes the first PATH entry equal to $argv[1]: the one autovenv put
# there. Every other entry, and every change the user made, stays.
function __autovenv_path_remove
    # Usually it is still the first entry: no command substitution needed.
    if test "$PATH[1]" = "$argv[1]"
        set -e PATH[1]
        return 0
    end
    set -l i (contains -i -- $argv[1] $PATH)
    and set -e PATH[$i]
    return 0
end

function __autovenv_return
    return $argv[1]
end

# The prompt prefix: fish_prompt is wrapped the way a venv's activate.fish
# wraps it, and unwrapped only while the wrapper is still autovenv's. The
# wrapper prints $__autovenv_prefix, so a switch from one project to another
# only changes that variable.
function __autovenv_prompt
    set -l ours 0
    # Whether fish_prompt is still the wrapper below. The wrapper answers
    # the __autovenv_ping event, and fish drops a function's event handlers
    # when the function is defined anew or erased, so a prompt defined since
    # (by hand, by a theme, by config.fish sourced again) does not answer.
    # Reading the function back (`functions fish_prompt | string match`) is
    # a pipe between builtins, about 0.1 ms, five times the ping: it is
    # asked only when the ping gets no answer, which is also what happens
    # while events are blocked (`block`). Taking the wrapper for the user's
    # prompt then would wrap it again, and it would call itself. (The ping
    # of __autovenv_prompt_answers, written out: on a leave, a function
    # call is a sixth of this test.)
    if functions -q __autovenv_fish_prompt_orig
        set -e __autovenv_pong
        emit __autovenv_ping __autovenv_ping
        if set -q __autovenv_pong
            or functions fish_prompt | string match -q '*__autovenv_fish_prompt_orig*'
            set ours 1
        end
    end
    if set -q argv[1]
        set -g __autovenv_prefix "($argv[1]) "
        test $ours = 1; and return
        functions -e __autovenv_fish_prompt_orig
        functions -q fish_prompt; or function fish_prompt; printf '> '; end
        # A wrapper of ours with nothing behind it would call itself.
        __autovenv_prompt_answers; and __autovenv_default_prompt
        functions -c fish_prompt __autovenv_fish_prompt_orig
        function fish_prompt --on-event __autovenv_ping
            # The original prompt may show the last command's status: hand it
            # on unchanged.
            set -l last_status $status
            if test "$argv[1]" = __autovenv_ping
                set -g __autovenv_pong 1
                return
            end
            printf '%s' "$__autovenv_prefix"
            __autovenv_return $last_status
            # The arguments go on: fish 4's transient prompt draws the prompt
            # once more with --final-rendering, for the prompt to shorten.
            __autovenv_fish_prompt_orig $argv
        end
        return
    end
    set -e __autovenv_prefix
    if test $ours = 1
        functions -e fish_prompt
        functions -c __autovenv_fish_prompt_orig fish_prompt
    end
    functions -e __autovenv_fish_prompt_orig
end

# Whether fish_prompt answers the ping: only the wrapper above does.
function __autovenv_prompt_answers
    set -e __autovenv_pong
    emit __autovenv_ping __autovenv_ping
    set -q __autovenv_pong
end

# A fish_prompt that answers the ping while no prompt of the user's is kept
# behind it is a copy of the wrapper: `funcsave fish_prompt` (or `funced`)
# run while a project was active wrote it to the functions folder, and fish
# loads it in every new shell. The user's own prompt is gone from that file;
# fish's default prompt takes its place, so that nothing calls a function
# that does not exist or calls itself.
function __autovenv_default_prompt
    functions -e fish_prompt
    set -l default $__fish_data_dir/functions/fish_prompt.fish
    if test -r "$default"
        source $default
    end
    functions -q fish_prompt; or function fish_prompt; printf '> '; end
end

# `deactivate`, as a venv's own activate.fish would define it. Typed by the
# user, it switches the project off until the shell leaves it (docs/behaviour.md).
function __autovenv_define_deactivate
    function deactivate --description 'autovenv: switch this project off until you leave it'
        __autovenv_apply --user-deactivate
    end
end

function __autovenv_forget_deactivate
    functions -e deactivate
end

# A venv's own activate.fish ran in this shell (sourced by hand, or typed by
# an editor) for the environment autovenv now takes over: what it saved to
# restore goes, with its prompt and its `deactivate`, as its own
# `deactivate` would take them. PATH and the variables are settled by the
# statements around this call. The prompt it put aside may be autovenv's
# wrapper, copied without its event handler: unwrapped here, the statement
# that follows wraps it again whole.
function __autovenv_forget_script
    if set -q _OLD_FISH_PROMPT_OVERRIDE; and functions -q _old_fish_prompt
        functions -e fish_prompt
        functions -c _old_fish_prompt fish_prompt
        functions -e _old_fish_prompt
        __autovenv_prompt
    end
    set -e _OLD_FISH_PROMPT_OVERRIDE _OLD_VIRTUAL_PATH _OLD_VIRTUAL_PYTHONHOME _OLD_PKG_CONFIG_PATH \
        _OLD_VIRTUAL_TCL_LIBRARY _OLD_VIRTUAL_TK_LIBRARY
    functions -e deactivate pydoc
end

# `autovenv allow`, `deny`, `new`... typed in this shell take effect at the
# next prompt without a cd.
# __AUTOVENV_SHELL tells `autovenv doctor` that the hook is loaded, and where.
function autovenv
    __AUTOVENV_SHELL=fish $__autovenv_bin $argv
    set -l autovenv_status $status
    function __autovenv_unchanged
        return 1
    end
    set -g __autovenv_stale 1
    # and what was kept ready for leaving.
    set -g __autovenv_leave_ready ''
    return $autovenv_status
end

# A copy of the wrapper saved in the functions folder (see
# __autovenv_default_prompt) would fail at every prompt outside a project:
# replace it now, and say so once.
if not functions -q __autovenv_fish_prompt_orig
    and functions -q fish_prompt
    and __autovenv_prompt_answers
    echo "autovenv: the fish_prompt in your functions folder is a copy of autovenv's prompt wrapper (saved while a project was active); fish's default prompt is used instead until you save your own again" >&2
    __autovenv_default_prompt
end

# Which build's hook this is (see the bash hook): set last.
set -g __autovenv_hook_id @AUTOVENV_HOOK_ID@

end
