# autovenv's hook for elvish. Load it with this line in ~/.config/elvish/rc.elv:
#     eval (autovenv hook elvish | slurp)
# The binary's path replaces @AUTOVENV_BIN@ below, quoted for elvish.
#
# The binary prints one elvish value, a map (data, with the check as the one
# closure in it), that this file evaluates in a namespace holding only
# `path:` and `str:`, and applies with `set-env`, `unset-env` and list edits
# of $paths. The check holds the values of the variables that decide and
# every question the binary asked the file system, with its answer. Before
# each prompt and after each `cd` the hook runs it (builtins only), and only
# when an answer differs does it start the binary: an idle prompt starts no
# process.
#
# Everything here is local to the `eval` that loads it: the closures below
# keep it alive, and the shell gets two names, `deactivate` and `autovenv`
# (edit:add-var). rc.elv is read by interactive elvish only, which is the
# only place the hook has a prompt to run before.

use path
use str

var __autovenv_bin = @AUTOVENV_BIN@
# Which build's hook this is: the binary tells a shell running the hook of
# another build how to load its own.
var __autovenv_hook_id = '@AUTOVENV_HOOK_ID@'
# The binary's bookkeeping for this shell (docs/architecture.md: memo).
var __autovenv_local = ''
# $nil: ask the binary at the next prompt.
var __autovenv_check = $nil
# '1' once an `autovenv` command typed here dropped the check.
var __autovenv_stale = ''
# The prompt prefix, the prompt it was put in front of, and the wrapper.
var __autovenv_prefix = ''
var __autovenv_prompt_orig = $nil
var __autovenv_wrapper = $nil
# What the binary's output is evaluated in: builtins, and the two modules
# its check uses.
var __autovenv_data_ns = (ns [&path:=$path: &str:=$str:])

# Removes the first entry of $paths equal to $entry: the one autovenv put
# there. Every other entry, and every change the user made, stays.
fn __autovenv_path_remove {|entry|
    var i = 0
    for p $paths {
        if (==s $p $entry) {
            set paths = [(take $i $paths) (drop (+ $i 1) $paths)]
            return
        }
        set i = (+ $i 1)
    }
}

# The prompt prefix: edit:prompt is wrapped, and unwrapped only while the
# wrapper is still autovenv's (a prompt set since, by hand or by a theme,
# is left as it is). A switch only changes the prefix.
fn __autovenv_prompt {|name|
    var ours = (and (not (eq $__autovenv_wrapper $nil)) (eq $edit:prompt $__autovenv_wrapper))
    if (not (eq $name $nil)) {
        set __autovenv_prefix = '('$name') '
        if $ours {
            return
        }
        set __autovenv_prompt_orig = $edit:prompt
        set __autovenv_wrapper = {
            put $__autovenv_prefix
            $__autovenv_prompt_orig
        }
        set edit:prompt = $__autovenv_wrapper
        return
    }
    set __autovenv_prefix = ''
    if $ours {
        set edit:prompt = $__autovenv_prompt_orig
    }
    set __autovenv_wrapper = $nil
    set __autovenv_prompt_orig = $nil
}

fn __autovenv_step {|s|
    var op = $s[op]
    if (==s $op set) {
        set-env $s[name] $s[value]
    } elif (==s $op unset) {
        unset-env $s[name]
    } elif (==s $op prepend) {
        # An empty PATH has no entries to keep: '' would become one.
        if (==s $E:PATH '') {
            set-env PATH $s[path]
        } else {
            set paths = [$s[path] $@paths]
        }
    } elif (==s $op remove) {
        __autovenv_path_remove $s[path]
    } elif (==s $op prompt) {
        __autovenv_prompt $s[name]
    } elif (==s $op forget) {
        unset-env _OLD_VIRTUAL_PATH
        unset-env _OLD_VIRTUAL_PYTHONHOME
        unset-env _OLD_VIRTUAL_PS1
    }
}

# Applies one update from the binary.
fn __autovenv_take {|u|
    # While the steps are applied the check is gone: if they are cut short
    # (Ctrl-C), the next prompt asks again and finishes the job.
    if (has-key $u steps) {
        set __autovenv_check = $nil
        for s $u[steps] {
            __autovenv_step $s
        }
    }
    if (has-key $u memo) {
        set __autovenv_local = $u[memo]
    }
    if (has-key $u check) {
        set __autovenv_check = $u[check]
    }
}

fn __autovenv_apply {|&user-deactivate=$false|
    var flags = []
    if $user-deactivate {
        set flags = [--user-deactivate]
    }
    # Whether a venv's own activate script is in charge (one made for a
    # POSIX shell, inherited with its variables exported).
    var foreign = ''
    if (has-env _OLD_VIRTUAL_PATH) {
        set foreign = 1
    }
    # Messages for people go to the terminal (stderr is not captured).
    var out = ''
    try {
        set out = ((external $__autovenv_bin) export elvish $@flags --hook $__autovenv_hook_id --local $__autovenv_local --foreign $foreign --stale $__autovenv_stale | slurp)
    } catch {
        # The binary failed and said why: change nothing.
        return
    }
    set __autovenv_stale = ''
    if (==s $out '') {
        return
    }
    __autovenv_take (eval &ns=$__autovenv_data_ns 'put '$out)
}

# $true while every answer is what the binary saw. A check that throws (a
# path it needs is gone) counts as changed.
fn __autovenv_unchanged {
    if (eq $__autovenv_check $nil) {
        put $false
        return
    }
    try {
        $__autovenv_check
    } catch {
        put $false
    }
}

fn __autovenv_hook {
    if (not (__autovenv_unchanged)) {
        __autovenv_apply
    }
}

# `deactivate`, as a venv's own activate script would define it. Typed by
# the user, it switches the project off until the shell leaves it
# (docs/behaviour.md). It is always there; with nothing of autovenv's
# active, the binary says so.
fn deactivate {
    __autovenv_apply &user-deactivate=$true
}

# `autovenv allow`, `deny`, `new`... typed in this shell take effect at the
# next prompt without a cd: the check goes first, then the command runs.
# __AUTOVENV_SHELL tells `autovenv doctor` that the hook is loaded, and where.
fn autovenv {|@args|
    set __autovenv_check = $nil
    set __autovenv_stale = 1
    tmp E:__AUTOVENV_SHELL = elvish
    (external $__autovenv_bin) $@args
}

# What the first prompt would be given, when it has nothing to change (a
# new shell outside any project): that prompt then starts no process.
@AUTOVENV_INITIAL@
# Registered once however often this file is loaded: a hook of ours already
# there is recognised by its source text and replaced.
fn __autovenv_ours {|h|
    try {
        str:contains $h[body] __autovenv_hook
    } catch {
        put $false
    }
}
# elvish runs after-chdir before it sets PWD (to the physical folder, as
# $pwd has it), so the hook sets it first: the binary and the check read it.
set after-chdir = [(each {|h| if (not (__autovenv_ours $h)) { put $h } } $after-chdir) {|dir| set-env PWD $pwd; __autovenv_hook }]
set edit:before-readline = [(each {|h| if (not (__autovenv_ours $h)) { put $h } } $edit:before-readline) { __autovenv_hook }]
edit:add-var deactivate~ $deactivate~
edit:add-var autovenv~ $autovenv~
