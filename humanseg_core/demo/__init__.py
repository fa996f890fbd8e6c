"""The built-in demo scene: a synthetic surveillance video with exact per-person ground truth.

- :mod:`.scene` builds it in memory (:func:`make_demo`), from :mod:`.ground` (the paved square and its
  homographies) and :mod:`.walkers` (articulated walkers, their looks and shadows);
- :mod:`.write` writes it in the ``../shared/data/scenes`` layout and caches one copy (:func:`demo_dir`).
"""

from .scene import DemoFrames, DemoScene, PersonMasks, make_demo, project
from .write import demo_dir, demo_dir_job, demo_path, demo_ready, write_demo, write_demo_job

__all__ = ["DemoScene", "PersonMasks", "DemoFrames", "make_demo", "project", "write_demo", "write_demo_job",
           "demo_dir", "demo_dir_job", "demo_path", "demo_ready"]
