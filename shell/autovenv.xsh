# autovenv's hook for xonsh. Load it with this line in ~/.xonshrc:
#     execx(__import__('subprocess').check_output(['autovenv', 'hook', 'xonsh'], text=True))
# (not `execx($(autovenv hook xonsh))`: see docs/installation.md)
# The binary's path replaces @AUTOVENV_BIN@ below, escaped as every value
# the binary sends is (%XX for '%' and each byte outside printable ASCII).
#
# The binary prints one JSON object, data and never code, that these Python
# functions apply to $PATH and the environment. It carries the check: the
# values of the variables that decide, and every question the binary asked
# the file system, with its answer. Before each prompt and on each change of
# directory the hook compares them in Python (os.path.exists, os.lstat, one
# readline), and only when one differs does it start the binary: an idle
# prompt starts no process.
#
# Everything lives in one function's scope, so the session gets one name,
# __autovenv, and the aliases `deactivate` and `autovenv`.


def __autovenv_load(bin_escaped, hook_id):
    import builtins
    import json
    import os
    import subprocess
    import urllib.parse

    from xonsh.built_ins import XSH

    env = XSH.env
    events = XSH.builtins.events
    aliases = XSH.aliases

    def dec(text):
        # The exact bytes, as Python keeps them (surrogate escapes for bytes
        # that are not UTF-8, which xonsh hands to programs unchanged).
        return os.fsdecode(urllib.parse.unquote_to_bytes(text))

    binary = dec(bin_escaped)

    class State:
        local = ""  # the binary's bookkeeping for this shell (the memo)
        check = None  # None: ask the binary before the next prompt
        stale = ""  # "1" once a typed `autovenv` command dropped the check
        prefix = None  # the prompt prefix in place, as put in $PROMPT
        wrapper = None  # the $PROMPT autovenv made, to know it is still ours
        orig = None  # the $PROMPT it wrapped

    # Loading the hook again replaces the handlers of the last load.
    old = getattr(builtins, "__autovenv", None)
    if old is not None:
        events.on_pre_prompt.discard(old.on_pre_prompt)
        events.on_chdir.discard(old.on_chdir)

    def unchanged():
        c = State.check
        if c is None:
            return False
        # The variables as the binary was given them: xonsh's own view has
        # defaults (XDG_DATA_HOME...) that programs are not given. xonsh
        # keeps this detyped copy until a variable changes. Unset and
        # empty are one (null) for the binary.
        seen = env.detype()
        for name in c["names"]:
            want = c["env"][name]
            if seen.get(name, "") != ("" if want is None else dec(want)):
                return False
        for name in c["set"]:
            if name not in seen:
                return False
        if not all(os.path.exists(dec(p)) for p in c["exists"]):
            return False
        if any(os.path.exists(dec(p)) for p in c["missing"]):
            return False
        # lexists: a dangling link is there too.
        if not all(os.path.lexists(dec(p)) for p in c["exists_link"]):
            return False
        if any(os.path.lexists(dec(p)) for p in c["missing_link"]):
            return False
        for line in c["lines"]:
            try:
                with open(dec(line["path"]), "rb") as f:
                    first = f.readline()
            except OSError:
                return False
            if first.rstrip(b"\n") != urllib.parse.unquote_to_bytes(line["line"]):
                return False
        return True

    def apply(user_deactivate=False):
        args = [binary, "export", "xonsh"]
        if user_deactivate:
            args.append("--user-deactivate")
        # Whether a venv's own activate script is in charge.
        foreign = "1" if "_OLD_VIRTUAL_PATH" in env else ""
        args += ["--hook", hook_id, "--local", State.local]
        args += ["--foreign", foreign, "--stale", State.stale]
        try:
            # Messages for people go to the terminal (stderr is not taken).
            out = subprocess.run(
                args, stdout=subprocess.PIPE, env=env.detype(), cwd=env.get("PWD")
            )
        except (OSError, KeyboardInterrupt):
            return
        if out.returncode != 0:
            return
        State.stale = ""
        if not out.stdout.strip():
            return
        update = json.loads(out.stdout)
        steps = update.get("steps")
        if steps:
            # While the steps are applied the check is gone: if they are cut
            # short, the next prompt asks again and finishes the job.
            State.check = None
            for step in steps:
                run_step(step)
        if "memo" in update:
            State.local = update["memo"]
        if "check" in update:
            State.check = update["check"]

    def run_step(step):
        op = step["op"]
        if op == "set" and step["name"] == "PATH":
            env["PATH"] = [dec(p) for p in step["value"]]
        elif op == "set":
            env[step["name"]] = dec(step["value"])
        elif op == "unset":
            if step["name"] in env:
                del env[step["name"]]
        elif op == "prepend":
            env["PATH"] = [dec(step["path"])] + list(env.get("PATH", []))
        elif op == "remove":
            # Exactly the first equal entry: the one autovenv put there.
            path = list(env.get("PATH", []))
            entry = dec(step["path"])
            if entry in path:
                path.remove(entry)
                env["PATH"] = path
        elif op == "prompt":
            prompt(None if step["name"] is None else dec(step["name"]))
        elif op == "deactivate":
            if step["on"]:
                aliases["deactivate"] = deactivate
            elif aliases.get("deactivate") is deactivate:
                del aliases["deactivate"]
        elif op == "forget":
            forget_script()

    def prompt(name):
        # xonsh's own {env_name} field shows VIRTUAL_ENV_PROMPT: a prompt
        # that has it gets no second name.
        current = env.get("PROMPT", "")
        ours = State.wrapper is not None and current == State.wrapper
        if name is not None and not ours and isinstance(current, str) and "{env_name}" in current:
            return
        if ours:
            env["PROMPT"] = State.orig
        State.prefix = State.wrapper = State.orig = None
        if name is None:
            return
        # The prompt is a format string: braces in the name stay text.
        prefix = "(" + name.replace("{", "{{").replace("}", "}}") + ") "
        orig = env.get("PROMPT", "")
        if callable(orig):
            def wrapper():
                return prefix.replace("{{", "{").replace("}}", "}") + orig()
        else:
            wrapper = prefix + orig
        State.prefix, State.orig, State.wrapper = prefix, orig, wrapper
        env["PROMPT"] = wrapper

    def forget_script():
        # A venv's own activate script ran here for the environment autovenv
        # now takes over: its saved values and its `deactivate` go, as its
        # own `deactivate` would take them.
        for name in ("_OLD_VIRTUAL_PATH", "_OLD_VIRTUAL_PYTHONHOME", "_OLD_VIRTUAL_PROMPT"):
            if name in env:
                del env[name]
        if aliases.get("deactivate") is not deactivate and "deactivate" in aliases:
            del aliases["deactivate"]

    def deactivate(args=None):
        """autovenv: switch this project off until you leave it"""
        apply(user_deactivate=True)

    def autovenv(args):
        # A command typed here takes effect at the next prompt, without a cd.
        State.check = None
        State.stale = "1"
        # A copy: the detyped one is xonsh's own, kept for every later program.
        child = dict(env.detype())
        child["__AUTOVENV_SHELL"] = "xonsh"
        return subprocess.run([binary] + list(args), env=child).returncode

    def on_pre_prompt(**kw):
        if not unchanged():
            apply()

    def on_chdir(olddir=None, newdir=None, **kw):
        if not unchanged():
            apply()

    class Hook:
        pass

    hook = Hook()
    hook.on_pre_prompt, hook.on_chdir, hook.state = on_pre_prompt, on_chdir, State
    hook.unchanged, hook.apply = unchanged, apply
    builtins.__autovenv = hook
    # Only interactive shells get the hook (docs/behaviour.md).
    if not env.get("XONSH_INTERACTIVE"):
        return
    events.on_pre_prompt(on_pre_prompt)
    events.on_chdir(on_chdir)
    aliases["autovenv"] = autovenv


# The second argument says which build's hook this is: the binary tells a
# shell running the hook of another build how to load its own.
__autovenv_load(@AUTOVENV_BIN@, '@AUTOVENV_HOOK_ID@')
del __autovenv_load
