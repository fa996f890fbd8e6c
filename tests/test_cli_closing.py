"""A Ctrl-C or SIGTERM once the command has finished (its JSON printed): a word and the interrupt's exit code, not
a silent exit by the signal nor the words of a command cut short (a walk and its re-walk)."""

import json
import signal
import subprocess
import sys
import textwrap
import time

import pytest

SCRIPT = textwrap.dedent("""
    import atexit, sys, time
    from humanseg_core.cli import main
    atexit.register(time.sleep, 30)  # a slow close (Ray's shutdown, a temporary folder removed)
    sys.argv = ["humanseg", "demo", "--out", sys.argv[1], "--frames", "3"]
    main()
    print("NOT REACHED", flush=True)  # the console command ends the process itself
""")


@pytest.mark.parametrize("sig, code, word", [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")])
def test_an_interrupt_while_closing_says_so(tmp_path, sig, code, word):
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(tmp_path / "demo")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert json.loads(line), proc.stderr.read()  # the command's JSON
        time.sleep(0.3)  # in the slow close now
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == code and "NOT REACHED" not in out
    assert f"humanseg: {word} while closing, after the command had finished: what it printed and stored stands" \
        in err, err
    assert "Traceback" not in err


def test_a_finished_console_command_ends_with_its_code_and_runs_the_exit_handlers(tmp_path):
    script = textwrap.dedent("""
        import atexit, sys
        from humanseg_core.cli import main
        atexit.register(lambda: print("EXIT HANDLER", flush=True))
        sys.argv = ["humanseg", "demo", "--out", sys.argv[1], "--frames", "3"]
        main()
    """)
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "demo")], capture_output=True, text=True,
                          timeout=120)
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and json.loads(lines[0]) and lines[-1] == "EXIT HANDLER", (done.stdout, done.stderr)


def test_an_interrupt_after_the_json_but_before_the_command_returned_is_not_a_cut(monkeypatch, capsys):
    """The re-walk: a Ctrl-C between the JSON and the command's return read "an export being written was not
    created ...; run the command again to redo what was cut short"."""
    from humanseg_core import cli
    from humanseg_core.cli import common

    def finished_then_interrupted(args):
        common.print_json({"done": True})
        raise KeyboardInterrupt

    parser = cli.build_parser()
    original = parser.parse_known_args

    def parse(argv):
        args, unknown = original(argv)
        args.func = finished_then_interrupted
        return args, unknown

    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    monkeypatch.setattr(parser, "parse_known_args", parse)
    assert cli.main(["status", "--project", "P"]) == 130
    err = capsys.readouterr().err
    assert "interrupted while closing, after the command had finished" in err and "cut short" not in err
    monkeypatch.setattr(parser, "parse_known_args", original)  # a command cut short before its JSON: said as one
    monkeypatch.setattr(cli, "build_parser", lambda: _cut(parser, original))
    assert cli.main(["status", "--project", "P"]) == 130
    assert "run the command again to redo what was cut short" in capsys.readouterr().err


def _cut(parser, original):
    def parse(argv):
        args, unknown = original(argv)
        args.func = lambda a: (_ for _ in ()).throw(KeyboardInterrupt)
        return args, unknown

    parser.parse_known_args = parse
    return parser
