"""A network resumed keeps the parent it was fine-tuned from: a walk's `train --resume` of a network fine-tuned from
an older parent recorded none, so its run, its JSON and its evidence step named the project's parent instead."""

import numpy as np

from humanseg_core.jobs import run_job
from humanseg_core.osvos.config import TrainConfig
from humanseg_core.project import Project
from humanseg_core.records import Proposal
from humanseg_core.workflows.parent_choice import resumed_parent


def test_a_resumed_network_records_the_parent_of_the_run_it_resumed(tmp_path, small_demo, monkeypatch):
    from scene_run_setup import inputs

    import humanseg_core.osvos.train as train
    from humanseg_core.osvos.train import TrainResult
    from humanseg_core.workflows.person import train_person

    old_parent = tmp_path / "proj" / "parent" / "p-old.pt"

    def training(*_a, **_k):
        yield from ()
        return TrainResult(state_dict={}, meta={"model": "osvos-parent"}, steps=1, seconds=0.1, final_loss=0.5,
                           checkpoint=str(tmp_path / "proj" / "checkpoints" / "new.pt"))

    monkeypatch.setattr(train, "train_job", training)
    mask = np.zeros((288, 360), bool)
    mask[100:150, 100:120] = True
    with Project.create(tmp_path / "proj", inputs(small_demo)) as p:
        old_parent.parent.mkdir()
        old_parent.write_bytes(b"a parent file")
        first = p.add_run(1, "osvos-parent", {"parent": "parent/p-old.pt"}, str(tmp_path / "proj" / "a.pt"))
        p.add_run(2, "osvos-parent", {"parent": "parent/other.pt"}, str(tmp_path / "proj" / "b.pt"))
        assert resumed_parent(p, tmp_path / "proj" / "a.pt") == "parent/p-old.pt"
        assert resumed_parent(p, tmp_path / "elsewhere.pt") is None and resumed_parent(p, None) is None
        p.add_proposals([Proposal(frame=0, pid=1, box=(100, 100, 20, 50), mask=mask, source="bgs", score=0.9)])
        p.set_statuses([q.id for q in p.proposals(1)], "accepted")
        done = run_job(train_person(p, 1, TrainConfig(model="osvos-parent", resume=str(tmp_path / "proj" / "a.pt"))))
        [run] = [r for r in p.runs(1) if r["id"] == done.run_id]
        assert run["params"]["parent"] == "parent/p-old.pt" and done.run_id != first
        assert done.parent == str(old_parent.resolve())  # its JSON names it too
