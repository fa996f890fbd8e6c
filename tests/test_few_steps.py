"""A seconds budget that bought fewer than FEW_STEPS training steps is said at the end of a whole-scene run (a
walk's 5 s per person gave 1-2 steps to 22 of 40 persons; only a Scene row, gone once the person was
segmented, had said so)."""

from __future__ import annotations

from humanseg_core.osvos.config import FEW_STEPS
from humanseg_core.workflows.scene_config import SceneRunConfig
from humanseg_core.workflows.scene_result import few_steps_text
from humanseg_core.workflows.scene_run import SceneRunResult, note_few_steps


def test_only_a_seconds_budget_that_bought_few_steps_is_noted():
    result = SceneRunResult()
    seconds = SceneRunConfig(seconds_per_person=5.0)
    note_few_steps(result, seconds, 262, 1)
    note_few_steps(result, seconds, 263, FEW_STEPS)  # enough
    note_few_steps(result, SceneRunConfig(steps_per_person=3, seconds_per_person=None), 264, 3)  # asked for 3
    assert result.few_steps == {262: 1}
    assert result.to_json()["few_steps"] == {"262": 1}


def test_the_words_name_the_persons_and_what_to_raise():
    assert few_steps_text({}) == ""
    one = few_steps_text({262: 1}, "raise Training")
    assert one.startswith(f"1 person trained fewer than {FEW_STEPS} steps (person 262 1)") and one.endswith(
        "too few to learn it; raise Training")
    many = few_steps_text({p: 2 for p in range(10)}, "raise --seconds-per-person")
    assert many.startswith("10 persons trained") and "0 2, 1 2" in many and ", …)" in many


def test_the_studio_summary_ends_with_it():
    from app.scene_summary import summary

    result = SceneRunResult(persons=[1, 2], person_frames=10, segment_seconds=0.1, seconds=12.0,
                            few_steps={2: 1})
    text = summary(result)
    assert text.endswith("· 1 person trained fewer than 20 steps (person 2 1): too few to learn it; choose "
                         "\"steps per person\" in the budget box (no time bound), which a busy machine does not "
                         "shorten")
    assert "fewer than" not in summary(SceneRunResult(persons=[1], person_frames=10, seconds=1.0))


def test_the_scene_row_keeps_it_after_segmentation():
    from app.scene_summary import segmented_states

    class Runs:
        def runs(self):
            return [{"id": 7, "metrics": {"segmented_frames": 58, "steps": 1}},
                    {"id": 8, "metrics": {"segmented_frames": 60, "steps": 65}}]

    states = segmented_states(Runs(), {252: 7, 253: 8}, [252, 253])
    assert states == {252: "segmented 58 frames, trained 1 step only", 253: "segmented 60 frames"}


def test_a_person_the_time_bound_stopped_before_its_steps_is_named():
    """A walk's persons 43 and 44 stopped at 27 and 40 of their 100 steps (the 60 s bound, a loaded machine);
    neither the summary nor the table said so."""
    from app.scene_summary import summary
    from humanseg_core.workflows.scene_result import cut_short_text

    result = SceneRunResult(persons=[43, 44, 45], person_frames=30, seconds=200.0)
    default = SceneRunConfig()  # 100 steps, 60 s at most
    assert (default.steps_per_person, default.seconds_per_person) == (100, 60.0)
    for pid, steps in ((43, 27), (44, 40), (45, 100)):
        note_few_steps(result, default, pid, steps)
    assert result.cut_short == {43: 27, 44: 40} and result.few_steps == {}
    result.budget = (100, 60.0)
    said = cut_short_text(result.cut_short, *result.budget)
    assert said == "2 persons stopped at the 60 s bound before their 100 steps (43 at 27, 44 at 40): a busy machine"
    assert said[1:] in summary(result) and result.to_json()["cut_short"] == {"43": 27, "44": 40}


def test_a_small_steps_budget_run_whole_is_not_too_few():
    """A review: 10 steps a person asked for (60 s at most), all 10 run, was reported as too few to learn, and a
    busy machine blamed."""
    result = SceneRunResult()
    asked = SceneRunConfig(steps_per_person=10, seconds_per_person=60.0)
    note_few_steps(result, asked, 1, 10)
    note_few_steps(result, asked, 2, 4)  # the bound stopped it: too few, said
    assert result.few_steps == {2: 4} and result.cut_short == {}
