"""The ``humanseg`` command line. Each subcommand lives in its own module with ``register(subparsers)``.

Conventions for every subcommand: progress goes to stderr, the last line on stdout is one JSON document
(``tracks`` prints a table unless ``--json``), and a bad input prints ``humanseg: error: <file>: <problem>``
on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from ..errors import Cancelled, HumansegError
from .common import PRINTED, expand_home

# Subcommand modules, in the order ``--help`` lists them.
SUBCOMMANDS = ["tracks", "calibrate", "demo", "propose", "decide", "relocate", "import_masks", "masks", "export",
               "train", "segment", "replaced", "eval", "parent", "run", "batch", "eval_scene", "status"]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("humanseg-studio")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="humanseg", description="HumanSeg Studio command line.")
    parser.add_argument("--version", action="version", version=f"humanseg {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:  # a subcommand not built yet
            if exc.name == f"{__name__}.{name}":
                continue
            raise
        module.register(sub)
    # an option's prefix is not taken for it: a walk's `--pid all` ran as --pids all, a whole scene
    for command in _all_parsers(parser):
        command.allow_abbrev = False
    return parser


def _all_parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """``parser`` and every subcommand's parser below it (``parent train`` too)."""
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                found += _all_parsers(sub)
    return found


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, a scheduler's timeout): undone like Ctrl-C (staging folders removed, runs marked),
    then exit 143 (a walk: no word, a staging folder left behind)."""


def _on_sigterm(_signum, _frame) -> None:
    raise Terminated


def _did_you_mean(parser: argparse.ArgumentParser, args: argparse.Namespace, unknown: list[str]) -> str:
    """'; did you mean --pids?' for an unknown option close to one of the command's, else ''."""
    import difflib

    command = parser
    while True:  # down to the subcommand given (``parent train``)
        subs = [a for a in command._actions if isinstance(a, argparse._SubParsersAction)]
        chosen = subs[0].choices.get(getattr(args, subs[0].dest, None) or "") if subs else None
        if chosen is None:
            break
        command = chosen
    options = [o for a in command._actions for o in a.option_strings if o.startswith("--")]
    for word in unknown:
        close = difflib.get_close_matches(word.split("=")[0], options, n=1) if word.startswith("--") else []
        if close:
            return f"; did you mean {close[0]}?"
    return ""


def _stdout_gone() -> bool:
    """Whether nobody reads stdout any more (its pipe's reader closed it)."""
    import select

    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return True
    except (OSError, ValueError):
        return False
    try:
        poll = select.poll()
        poll.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & (select.POLLERR | select.POLLHUP) for _fd, events in poll.poll(0))
    except (OSError, ValueError, AttributeError):
        return False


def _swapped() -> list:
    """The export folders put in place in this process (``export.atomic.SWAPPED``; none before it was imported)."""
    atomic = sys.modules.get("humanseg_core.export.atomic")
    return atomic.SWAPPED if atomic is not None else []


def _closing_text(how: str) -> str:
    return f"humanseg: {how} while closing, after the command had finished: what it printed and stored stands"


def _end_console(code: int) -> int:
    """The console command has finished: Ctrl-C or SIGTERM from now on says so and exits 130 / 143 at once (a walk
    read a silent 130, or the mid-command message); the ``atexit`` handlers (Ray's shutdown, temporary folders)
    run, then the process ends without the interpreter's teardown, during which an interrupt killed it without a
    word. With a thread of its own still at work the normal exit is kept."""
    import signal
    import threading

    def closing(signum, _frame) -> None:
        try:
            sys.stderr.write(_closing_text("terminated" if signum == signal.SIGTERM else "interrupted") + "\n")
            sys.stderr.flush()
        finally:
            os._exit(143 if signum == signal.SIGTERM else 130)

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, closing)
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        return code
    from ..process_end import end_process

    end_process(code)


def main(argv: list[str] | None = None) -> int:
    import signal
    import threading

    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}{_did_you_mean(parser, args, unknown)}")
    args = expand_home(args)
    previous = None
    _swapped().clear()  # this command's exports (tests call main() many times in one process)
    PRINTED[0] = False
    if threading.current_thread() is threading.main_thread():  # (tests call main() from worker threads too)
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        code = int(args.func(args) or 0)
        if argv is None and previous is not None:  # the console command (not a test's call): done, closing
            previous = None  # (its SIGTERM handler stays)
            return _end_console(code)
        return code
    except Cancelled as exc:  # a job stopped as asked (parent train's first Ctrl-C), saying what it kept
        print(f"humanseg: {exc}", file=sys.stderr)
        return 130
    except HumansegError as exc:
        rows = getattr(exc, "bad_rows", 0)
        hint = ((f" ({rows} bad rows in all; --skip-bad-lines leaves them out)" if rows > 1 else
                 " (--skip-bad-lines leaves it out)")
                if getattr(exc, "bad_row", False) and "skip_bad_lines" in vars(args) else "")
        print(f"humanseg: error: {exc}{hint}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader of stdout stopped (`humanseg tracks … | head`): no traceback (a walk)
        if not _stdout_gone():  # stdout is fine: another pipe broke (a worker's), said as any failure is
            raise
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's flush at exit finds no pipe
        except (OSError, ValueError, AttributeError):  # (no file behind stdout)
            pass
        return 141
    except KeyboardInterrupt as exc:
        how = "terminated" if isinstance(exc, Terminated) else "interrupted"
        if PRINTED[0]:  # its JSON was out: nothing was cut short (a re-walk read the mid-command words here)
            print(_closing_text(how), file=sys.stderr)
            return 143 if isinstance(exc, Terminated) else 130
        if getattr(args, "command", None) == "parent":  # no project, no export there (a walk read of both)
            print(f"humanseg: {how}: the last checkpoint saved (every 2 minutes) is kept: --resume continues from it",
                  file=sys.stderr)
            return 143 if isinstance(exc, Terminated) else 130
        scene = getattr(args, "command", None) in ("run", "batch")  # their flags said to them alone (a walk)
        written = ", ".join(dict.fromkeys(str(p) for p in _swapped()))  # (a walk's export was in place, said "not")
        print(f"humanseg: {how}: what the project stored before is kept (every write is whole or not at all) "
              + (f"and the export in {written} was written whole before it (the project may not list it as "
                 "exported yet); any export after it was not created" if written else
                 "and an export being written was not created (a folder it was to replace is as it was)")
              + "; run the command again to redo what was cut short"
              + (" (--keep-trained keeps the persons that have results, this run's or older ones"
                 + (", --reuse-trained segments with the networks trained before the cut: give both to redo neither;"
                    " --reuse-trained alone to finish persons that had older results)"
                    if getattr(args, "backend", "local") == "local" else ")") if scene else ""),
              # (Ray units train afresh: a walk read it there; a scale walk gave --reuse-trained alone and its
              # 13 persons already segmented trained again)
              file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
