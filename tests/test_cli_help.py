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


def test_batch_manifest_paths_in_defaults_are_relative_to_the_manifest_too(tmp_path, monkeypatch):
    """The help says relative paths are relative to the manifest's folder; [defaults] used the working
    directory instead."""
    from humanseg_core.cli.batch import read_manifest

    (tmp_path / "m" / "data" / "frames").mkdir(parents=True)  # the inputs are checked before any scene runs
    manifest = tmp_path / "m" / "scenes.toml"
    manifest.write_text('[defaults]\nvideo = "data/frames"\nsteps_per_person = 3\n\n'
                        '[[scene]]\nproject = "p1"\nout = "o1"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    defaults, [scene] = read_manifest(manifest)
    assert defaults == {"video": str(tmp_path / "m" / "data" / "frames"), "steps_per_person": 3}
    assert scene == {"project": str(tmp_path / "m" / "p1"), "out": str(tmp_path / "m" / "o1")}


def test_batch_manifest_pids_as_a_list_and_one_out_per_scene(tmp_path):
    """A new-user walk wrote pids = [265] (a TOML list): refused only when the scene ran, naming --pids; two
    scenes with the same out overwrote each other's masks without a word."""
    import pytest

    from humanseg_core.cli.batch import read_manifest
    from humanseg_core.errors import HumansegError

    manifest = tmp_path / "scenes.toml"
    manifest.write_text('[[scene]]\nproject = "p1"\nout = "o1"\npids = [265, 266]\n\n'
                        '[[scene]]\nproject = "p2"\nout = "o2"\npids = 7\n\n'
                        '[[scene]]\nproject = "p3"\nout = "o3"\npids = ["p54", "p7"]\n', encoding="utf-8")
    _, scenes = read_manifest(manifest)
    assert [s["pids"] for s in scenes] == ["265,266", "7", "p54,p7"]  # (a review: --pids took p54, a list not)
    manifest.write_text('[[scene]]\nproject = "p1"\nout = "o"\npids = [[1]]\n', encoding="utf-8")
    with pytest.raises(HumansegError, match=r"scene 1: pids must be"):
        read_manifest(manifest)
    manifest.write_text('[defaults]\nout = "same"\n\n[[scene]]\nproject = "p1"\n\n[[scene]]\nproject = "p2"\n',
                        encoding="utf-8")
    with pytest.raises(HumansegError, match=r"scenes 1 and 2 both export to .*same; give each its own out"):
        read_manifest(manifest)
