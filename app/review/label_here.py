"""Review ▸ Label This Frame by Hand: a mask drawn for the selected person on the frame on screen, where it
has no proposal (a skipped annotated frame: "hidden behind person 203", or any frame of its span).

A walk's person 202 walked behind 203: 12 of its 13 annotated frames were skipped, and nothing let the
analyst draw a label there, though the person was 30-100 % visible. The frame is put up for review as an
empty mask from the analyst (``workflows.labels.hand_label``: pending, never accepted in bulk nor used for
training while empty) and opened in the mask editor: brush, lasso, or a click in the person for the parent's
mask there (click-to-refine). Saved, it is an edited label like any fixed proposal.
"""

from __future__ import annotations

TEXT = "Label This Frame by &Hand"
KEYS = "Ctrl+Shift+L"


def label_this_frame(controller) -> int | None:
    """Open the editor on the selected person's mask of the window's frame: its proposal there when it has
    one, else a new empty one drawn by hand. Returns the proposal id, or None (said in the status bar)."""
    from humanseg_core.workflows.labels import hand_label

    window, panel = controller.window, controller.panel
    project, scene = controller.project, window.scene
    pid, frame = window.selected_pid, window.current_frame
    if project is None or scene is None:
        controller._message("Open a project first (Project menu)")
        return None
    if controller.read_only:
        controller._message("This project is open read-only: nothing can be drawn")
        return None
    if pid is None or pid < 0:
        controller._message("Select a person first (click its point, or the Persons tab), then Ctrl+Shift+L")
        return None
    if frame is None or scene.position_px(pid, frame) is None:
        controller._message(f"Person {pid} has no position on frame {frame}: go to a frame of its track first")
        return None
    from humanseg_core.errors import ProjectError

    if not panel.finish_edit():  # an open edit asked about first, before anything is written (a review: asked
        return None  # twice, and a blank hand label left behind on Cancel)
    try:
        existing = next((p for p in project.proposals(pid, with_masks=False) if p.frame == frame), None)
        proposal_id = existing.id if existing is not None else hand_label(project, pid, frame,
                                                                           (scene.height, scene.width))
    except ProjectError as exc:  # told, not raised on the GUI thread
        controller._message(f"Cannot put up a mask to draw: {exc}", 15000)
        return None
    panel.refresh()
    controller.show_panel()
    if panel.pid != pid:
        panel.set_person(pid)
    panel.go_to(proposal_id)
    if panel.current_id != proposal_id:  # an open edit of another proposal was kept (the analyst said so)
        return None
    if existing is None:  # an empty mask has no box: the view zooms to the person's expected body
        panel.view.focus_person(_expected_box(panel), scene.position_px(pid, frame), reset_zoom=True)
    if not panel.editing:
        panel.toggle_edit()
    if existing is None:  # the first click in the person gives the parent network's mask of it (refine.py)
        panel.editor.set_tool("refine")
        _warm_parent(panel)
    # short: the status bar cut the longer hint mid-word (a walk)
    controller._message(f"Person {pid}, frame {frame}: " + (
        "its proposal, in the editor" if existing is not None else
        "click in the person for its mask (B brush, L lasso), then Ctrl+S"))
    return int(proposal_id)


def _expected_box(panel) -> tuple[float, float, float, float] | None:
    """The person's expected body (the refine prior's: where its point sits on a body, its expected height) as a
    box, or None. A walk's view was centred on a feet point: half of it grey below the frame, the head cut."""
    context = panel._edit_context()
    prior = context[2] if len(context) > 2 else None
    own = getattr(prior, "own", None)
    if own is None:
        return None
    u, top, bottom = own
    half = 0.2 * (bottom - top)
    return (u - half, top, u + half, bottom)


def _warm_parent(panel) -> None:
    """Load the parent network on the editor's Refine thread while the analyst looks at the frame (a walk's
    first click waited 5-10 s for it); the click's job then finds it loaded (``parent_masks.shared_parent``)."""
    from humanseg_core.jobs import Progress
    from humanseg_core.workflows.parent_choice import project_parent_file

    from ..worker import JobWorker

    path = project_parent_file(panel.editor.project)  # the project's own parent network when one was chosen

    def job(cancel):
        from humanseg_core.proposals import parent_masks

        yield Progress(0, 1, "Loading the parent network…")
        return parent_masks.shared_parent(path) is not None

    worker = JobWorker(job, name="Parent", parent=panel.editor, writes=False)
    worker.start(panel.editor._refine_pool)
