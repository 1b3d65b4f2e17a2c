# autovenv's hook for nushell. Save it once, and source it from config.nu:
#     autovenv hook nu | save -f ~/.autovenv.nu
#     source ~/.autovenv.nu                      # in config.nu
# The binary's path replaces @AUTOVENV_BIN@ below, as a nushell string.
#
# nushell has no `eval`: the binary prints one JSON object (data, never
# code) that this file applies with `load-env`, `hide-env` and list edits of
# $env.PATH. The object also carries the check: the values of the variables
# that decide, and every question the binary asked the file system, with
# its answer. Before each prompt the hook compares them with builtins
# (`path exists`, `path type`, `open --raw`), and only when one differs does
# it start the binary: an idle prompt starts no process.
#
# The hook's own state is one record in $env.__autovenv. nushell passes only
# string variables to the programs it starts, so a record stays in this
# shell, as the memo must (a child shell starts with its own).

# Loading the file again starts from a clean slate.
$env.__autovenv = {
    bin: @AUTOVENV_BIN@
    # Which build's hook this is: the binary tells a shell running the hook
    # of another build how to load its own.
    hook: "@AUTOVENV_HOOK_ID@"
    # The binary's bookkeeping for this shell (docs/architecture.md: memo).
    local: ""
    # null: ask the binary at the next prompt.
    check: null
    # "1" once an `autovenv` command typed here dropped the check.
    stale: ""
    # The prompt prefix, and the PROMPT_COMMAND it was put in front of.
    prefix: null
    prompt_orig: null
    wrapper: null
}

# True while every answer is what the binary saw. Builtins only, and no
# closure per item where a list operation will do: this runs before every
# prompt (about 50 us; a closure per variable cost 3 ms).
def __autovenv_unchanged []: nothing -> bool {
    let c = $env.__autovenv.check
    if $c == null { return false }
    # The variables that decide, as one record: unset is null.
    let seen = $env | select -o ...$c.names
    if $seen != $c.env {
        # Set but empty counts as unset, as in the binary.
        let norm = $seen | items {|k, v| if $v == "" { null } else { $v } }
        if $norm != ($c.env | values) { return false }
    }
    if ($c.set | is-not-empty) and ($c.set | any {|name| $name not-in $env }) { return false }
    if false in ($c.exists | path exists) { return false }
    if true in ($c.missing | path exists) { return false }
    # `path type` does not follow a link: a dangling link is there too.
    if null in ($c.exists_link | path type) { return false }
    if ($c.missing_link | path type | compact | is-not-empty) { return false }
    # The first line of a .venv-name, up to "\n" and without it.
    ($c.lines | is-empty) or ($c.lines | all {|l|
        try { (open --raw $l.path | decode utf-8 | split row "\n" | first) == $l.line } catch { false }
    })
}

def --env __autovenv_hook [] {
    if not (__autovenv_unchanged) { __autovenv_apply }
}

def --env __autovenv_apply [--user-deactivate] {
    let flags = if $user_deactivate { ["--user-deactivate"] } else { [] }
    # Running the binary sets LAST_EXIT_CODE: the user's stays.
    let last = $env.LAST_EXIT_CODE? | default 0
    let a = $env.__autovenv
    # Whether a venv's own activate script is in charge (one made for a
    # POSIX shell, inherited; a nushell overlay keeps no such variable).
    let foreign = if '_OLD_VIRTUAL_PATH' in $env { "1" } else { "" }
    # Messages for people go to the terminal (stderr is not captured).
    let out = try {
        ^$a.bin export nu ...$flags --hook $a.hook --local $a.local --foreign $foreign --stale $a.stale
    } catch {
        # The binary failed and said why: change nothing.
        $env.LAST_EXIT_CODE = $last
        return
    }
    $env.LAST_EXIT_CODE = $last
    $env.__autovenv.stale = ""
    if ($out | is-empty) { return }
    let u = $out | from json
    if 'refused' in $u {
        print -e $u.refused
    }
    # While the steps are applied the check is gone: if they are cut short,
    # the next prompt asks again and finishes the job.
    if 'steps' in $u {
        $env.__autovenv.check = null
        for s in $u.steps {
            match $s.op {
                "set" => { load-env {($s.name): $s.value} }
                "unset" => { hide-env -i $s.name }
                "prepend" => { $env.PATH = (__autovenv_path | prepend $s.path) }
                "remove" => { __autovenv_path_remove $s.path }
                "prompt" => { __autovenv_prompt $s.name }
            }
        }
    }
    if 'memo' in $u { $env.__autovenv.local = $u.memo }
    if 'check' in $u { $env.__autovenv.check = $u.check }
}

# PATH as a list (it is one, unless something set it to a string).
def __autovenv_path []: nothing -> list<string> {
    let p = $env.PATH? | default []
    if ($p | describe) == "string" { $p | split row (char esep) } else { $p }
}

# Removes the first PATH entry equal to $entry: the one autovenv put there.
# Every other entry, and every change the user made, stays.
def --env __autovenv_path_remove [entry: string] {
    let p = __autovenv_path
    let at = $p | enumerate | where item == $entry | get index
    if ($at | is-not-empty) {
        $env.PATH = ($p | drop nth ($at | first))
    }
}

# The prompt prefix: PROMPT_COMMAND is wrapped, and unwrapped only while
# the wrapper is still autovenv's (a prompt set since, by hand or by a
# theme, is left as it is). A switch only changes the prefix.
def --env __autovenv_prompt [name?: string] {
    let a = $env.__autovenv
    let ours = $a.wrapper != null and ($env.PROMPT_COMMAND? == $a.wrapper)
    if $name != null {
        $env.__autovenv.prefix = $"\(($name)\) "
        if $ours { return }
        let wrapper = {|| $"($env.__autovenv.prefix? | default '')(__autovenv_prompt_orig)" }
        $env.__autovenv.prompt_orig = $env.PROMPT_COMMAND?
        $env.__autovenv.wrapper = $wrapper
        $env.PROMPT_COMMAND = $wrapper
        return
    }
    $env.__autovenv.prefix = null
    if $ours {
        if $a.prompt_orig == null {
            hide-env -i PROMPT_COMMAND
        } else {
            $env.PROMPT_COMMAND = $a.prompt_orig
        }
    }
    $env.__autovenv.wrapper = null
    $env.__autovenv.prompt_orig = null
}

# The prompt that was there before autovenv's prefix: a closure, a string,
# or (none set) the folder, as nushell shows it then.
def __autovenv_prompt_orig []: nothing -> string {
    let orig = $env.__autovenv.prompt_orig
    match ($orig | describe) {
        "closure" => { do $orig }
        "string" => { $orig }
        _ => { $env.PWD }
    }
}

# `deactivate`, as a venv's own activate script would define it. Typed by
# the user, it switches the project off until the shell leaves it
# (docs/behaviour.md). nushell defines commands when it reads this file, so
# it is always there; with nothing of autovenv's active, the binary says so.
def --env deactivate [] {
    __autovenv_apply --user-deactivate
}

# `autovenv allow`, `deny`, `new`... typed in this shell take effect at the
# next prompt without a cd: the check goes first, then the command runs
# (as the last expression, so its exit status is the command's).
# __AUTOVENV_SHELL tells `autovenv doctor` that the hook is loaded, and where.
def --env --wrapped autovenv [...args] {
    $env.__autovenv.check = null
    $env.__autovenv.stale = "1"
    with-env {__AUTOVENV_SHELL: nu} { ^$env.__autovenv.bin ...$args }
}

# Only interactive shells get the hook (docs/behaviour.md). Registered once
# however often this file is sourced: a hook of ours already there is
# recognised by its source text and replaced.
if $nu.is-interactive {
    let ours = {|h| ($h | describe) == "closure" and ((view source $h) | str contains "__autovenv_hook") }
    let hooks = $env.config.hooks
    $env.config.hooks.pre_prompt = (
        $hooks.pre_prompt? | default [] | where {|h| not (do $ours $h) }
        | append {|| __autovenv_hook }
    )
    $env.config.hooks.env_change.PWD = (
        $hooks.env_change?.PWD? | default [] | where {|h| not (do $ours $h) }
        | append {|before, after| __autovenv_hook }
    )
}
