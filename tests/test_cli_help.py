"""`humanseg --help` and every subcommand's `--help` render (argparse %-formats help texts: a bare % breaks them)."""

import pytest

from humanseg_core.cli import build_parser


def _subcommands():
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return parser, action.choices


def test_top_level_help_lists_every_subcommand():
    parser, choices = _subcommands()
    text = parser.format_help()
    for name in choices:
        assert name in text
    assert "%05d.png" in text  # the import subcommand's help, escaped as %%05d in the source


@pytest.mark.parametrize("name", sorted(_subcommands()[1]))
def test_subcommand_help_renders(name):
    _, choices = _subcommands()
    text = choices[name].format_help()
    assert "usage: humanseg " + name in text
    assert "%%" not in text  # descriptions are not %-formatted: %% there shows as is
