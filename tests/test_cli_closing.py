"""A Ctrl-C or SIGTERM once the command has finished (its JSON printed) while the process closes: a word and the
interrupt's exit code, not a silent 130 (a walk)."""

import json
import signal
import subprocess
import sys
import textwrap
import time

import pytest

SCRIPT = textwrap.dedent("""
    import sys, time
    from humanseg_core.cli import main
    sys.argv = ["humanseg", "demo", "--out", sys.argv[1], "--frames", "3"]
    code = main()
    print("RETURNED", code, flush=True)
    time.sleep(30)  # a slow close (threads, Ray, the interpreter's exit)
""")


@pytest.mark.parametrize("sig, code, word", [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")])
def test_an_interrupt_after_the_command_finished_says_so(tmp_path, sig, code, word):
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(tmp_path / "demo")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        while not lines or not lines[-1].startswith("RETURNED"):
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            lines.append(line)
        assert lines[-1].split() == ["RETURNED", "0"] and json.loads(lines[-2])  # the command's JSON came first
        time.sleep(0.2)
        proc.send_signal(sig)
        _out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == code
    assert (f"humanseg: {word} while closing, after the command had finished: what it printed and stored stands"
            in err), err
    assert "Traceback" not in err
