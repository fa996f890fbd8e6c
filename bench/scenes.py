"""Which scenes the benchmarks run on: the shared ones, and held-out scenes composed here.

A scene is a folder made by ``../shared/tools/compose_scene.py`` (frames/, gt/<pid>/, trajectories.txt,
H.txt, visibility.csv). ``resolve(name)`` takes a shared scene's name (``zara01``), a held-out scene's name
(``zara02_center``, composed on first use) or any scene folder's path.

Held-out scenes (``python bench/scenes.py`` composes them all): settings no shared scene has, so that a
method tuned on the shared scenes is also measured where nobody tuned it. They go to
``~/.cache/humanseg/scenes`` (``HUMANSEG_SCENES_CACHE``), never into the repository.

- ``zara02_center``: UCY zara02, 20 persons, the **centre** anchor (no shared scene has it), 70 px, the
  reference still as background: it has real people standing and walking in it, unannotated.
- ``students03``: UCY students03, 36 persons (up to 30 in view), 50 px, head anchor, a reference still
  full of real people: a dense, cluttered crowd.
- ``eth_big``: ETH seq_eth, frames 8900-9099, **110 px** people (feet anchor): larger than any shared scene.
- ``zara01_small``: UCY zara01, frames 700-899 (not the shared window), **32 px** people, centre anchor:
  smaller than any shared scene.
- ``zara01_harsh``: UCY zara01, frames 3200-3399, 60 px, feet anchor, the generator's realism options
  pushed the other way from every scene above: deep foot shadows (0.8), sensor noise 5, JPEG quality 60, a
  fast brightness drift, sprites in full colour, not relit to the ground, blurred.
- ``zara02_jitter``: UCY zara02 frames 7600-7799, 25 persons, 65 px, feet anchor, the reference still (real
  people in it), persons' heights varying 4x more than elsewhere (jitter 0.2), the other options half-way
  to ``zara01_harsh``'s.
- ``zara02_still``: UCY zara02 frames 9200-9399, 70 px, feet anchor, default options: most people stand
  still (60 % of the annotation steps under 0.15 m/s), which background subtraction cannot see.
- ``eth_soft``: ETH seq_eth, frames 11200-11399, 80 px, head anchor, a group walking in a column (a crowd
  by the occlusion rule): no shadow, sprites fully relit and washed out (low contrast), clean sharp frames.
- ``zara01_tiny`` (24 px, feet, noise 6, JPEG 50), ``eth_huge`` (170 px, head, a group of 8 walking
  together, noise 8, blur, JPEG 40) and ``zara01_bigc`` (150 px, centre, deep shadows, unrelit): the edges
  of person size.

Their backgrounds are stills the parent network was trained on (every ETH/UCY still we have is), but the
composition, the anchor and the distractors are new. Three scenes have backgrounds it never saw: a DAVIS frame
with its person painted out (``cv2.inpaint``) at 854 x 480, and an ETH/UCY homography scaled to that size:

- ``davis_shop``: the stroller sequence's shop front and cobbles, zara01's persons 6500-6699, feet, 70 px;
- ``davis_park``: lucia's grass, path and trees, zara02's persons 8000-8199, head, 55 px;
- ``davis_audience``: dance-twirl's square with a seated audience of real people (unannotated), ETH's persons
  1000-1199 and its perspective homography, feet, 65 px.

A full-HD-wide video (5 Dec): ``zara01_hd``, zara01's still scaled up to 1920 x 1536 (its homography with it),
frames 5300-5399, feet, **145 px** people (sprites from 480p DAVIS, upscaled: soft edges).

A night scene (5 Dec): ``zara01_night``, zara01's still darkened (gamma 1.6, then 0.35 of its brightness, a blue
cast; mean grey level 29 of 255), frames 3900-4049, feet, 60 px, sprites relit to the dark ground, sensor noise 6,
JPEG 55.

A shaking camera (7 Dec): ``zara01_shake``, zara01's persons 5500-5649, feet, 65 px, every frame and its ground truth
moved by up to 6 px (uniform, seeded) after composing; the trajectories and homography as they were (ADR 0057).
A cloud's shadow (7 Dec): ``zara01_cloud``, zara01's persons 6600-6719, feet, 65 px, a shadow 45 % darker with a
soft edge sweeping across the ground (light that changes across the frame, ADR 0058).
Standing pairs (7 Dec): ``eth_halfstill``, biwi_eth 8400-8549 with every odd-numbered person frozen at its mean
place, feet, 70 px.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"
SHARED_SCENES = ("zara01", "zara01_feet", "eth_dense")
CROWD_OCCLUSION = 0.15  # mean hidden fraction of a person from which a scene is an eth_dense-class crowd

# the generator's realism options away from its defaults (which every other scene uses), both ways:
# deep foot shadows, heavy sensor noise, strong JPEG, fast brightness drift, unrelit full-colour blurred
# sprites; and none of it: no shadow, sprites fully relit, washed out, sharp, clean frames
_HARSH = ("--shadow", "0.8", "--noise-sigma", "5", "--jpeg-quality", "60", "--drift-amp", "0.15",
          "--drift-period", "120", "--relight", "0", "--saturation", "1.0", "--blur", "1.5")
_SOFT = ("--shadow", "0", "--noise-sigma", "1", "--jpeg-quality", "95", "--drift-amp", "0", "--relight", "1.0",
         "--saturation", "0.5", "--blur", "0")

# people of very different heights (a height factor with standard deviation 0.2, not 0.05) and everything else
# half-way between the defaults and _HARSH
_JITTER = ("--height-jitter", "0.2", "--shadow", "0.6", "--noise-sigma", "3", "--jpeg-quality", "75", "--relight",
           "0.3", "--saturation", "0.9", "--blur", "1.0")

_DAVIS = DATA / "davis" / "JPEGImages" / "480p"
_EDGE_SPRITES = ("lucia", "stroller", "dance-twirl", "breakdance")
_UCY = DATA / "eth_ucy"


def _compose_args(place: str, trajectories: str, sprites: tuple[str, ...], start: int, frames: int, anchor: str,
                  height: int, seed: int, still: str = "reference.png", knobs: tuple[str, ...] = ()) -> list[str]:
    """compose_scene.py's arguments for an ETH/UCY place (a still, its trajectories and homography).

    ``knobs``: the generator's realism options (shadow, noise, JPEG quality...), its defaults when empty.
    """
    return [*knobs, "--background", str(_UCY / place / still), "--trajectories", str(_UCY / place / trajectories),
            "--homography", str(_UCY / place / "H_uv.txt"), "--sprites", *(str(_DAVIS / s) for s in sprites),
            "--start", str(start), "--frames", str(frames), "--anchor", anchor,
            "--person-height-px", str(height), "--seed", str(seed)]


HELD_OUT: dict[str, list[str]] = {
    "zara02_center": _compose_args("zara02", "crowds_zara02.txt", ("breakdance", "lucia", "dance-twirl"),
                                   5010, 200, "center", 70, 5),
    "students03": _compose_args("students03", "students003.txt", ("stroller", "lucia", "breakdance"),
                                4000, 150, "head", 50, 7),
    "eth_big": _compose_args("eth", "biwi_eth.txt", ("lucia", "stroller", "dance-twirl"),
                             8900, 200, "feet", 110, 11, still="bg.png"),
    "zara01_small": _compose_args("zara01", "crowds_zara01.txt", ("lucia", "dance-twirl", "stroller"),
                                  700, 200, "center", 32, 13, still="bg.png"),
    "zara01_harsh": _compose_args("zara01", "crowds_zara01.txt", ("stroller", "breakdance", "lucia"),
                                  3200, 200, "feet", 60, 17, still="bg.png", knobs=_HARSH),
    "zara02_jitter": _compose_args("zara02", "crowds_zara02.txt", ("dance-twirl", "stroller", "lucia"),
                                   7600, 200, "feet", 65, 23, knobs=_JITTER),
    "zara02_still": _compose_args("zara02", "crowds_zara02.txt", ("lucia", "stroller", "dance-twirl"),
                                  9200, 200, "feet", 70, 29),
    "eth_soft": _compose_args("eth", "biwi_eth.txt", ("dance-twirl", "lucia", "stroller"),
                              11200, 200, "head", 80, 19, still="bg.png", knobs=_SOFT),
    # the edges of person size (4 Dec): tiny, huge, big with the centre anchor
    "zara01_tiny": _compose_args("zara01", "crowds_zara01.txt", _EDGE_SPRITES, 300, 150, "feet", 24, 7,
                                 still="bg.png", knobs=("--noise-sigma", "6", "--jpeg-quality", "50")),
    "eth_huge": _compose_args("eth", "biwi_eth.txt", _EDGE_SPRITES, 3080, 200, "head", 170, 8, still="bg.png",
                              knobs=("--noise-sigma", "8", "--blur", "1.5", "--jpeg-quality", "40")),
    "zara01_bigc": _compose_args("zara01", "crowds_zara01.txt", _EDGE_SPRITES, 1200, 150, "center", 150, 9,
                                 still="bg.png", knobs=("--shadow", "0.8", "--relight", "0")),
    # composed afterwards (4 Dec, 16:30 UTC) to check the homography estimate and the default on scenes no lever
    # was chosen on (BENCHMARKS "A project without a homography estimates one first")
    "zara01_c60": _compose_args("zara01", "crowds_zara01.txt", ("lucia", "dance-twirl", "stroller"), 2000, 150,
                                "center", 60, 41, still="bg.png"),
    "zara01_h45": _compose_args("zara01", "crowds_zara01.txt", ("stroller", "lucia", "breakdance"), 4000, 150,
                                "head", 45, 47, still="bg.png"),
    "zara01_c40s": _compose_args("zara01", "crowds_zara01.txt", ("dance-twirl", "lucia", "stroller"), 5000, 150,
                                 "center", 40, 53, still="bg.png", knobs=("--shadow", "0.7")),
}


# backgrounds the parent never saw (4 Dec, 17:10 UTC): (DAVIS sequence, its frame, the place whose H is scaled,
# the rows its frame's height is squeezed into: the ground of the still)
NEW_STILLS = {"davis_shop": ("stroller", 0, "zara01", (250, 480)), "davis_park": ("lucia", 0, "zara02", (110, 470)),
              "davis_audience": ("dance-twirl", 0, "eth", (200, 480))}
_FRAME_SIZE = {"zara01": (720, 576), "zara02": (720, 576), "eth": (640, 480)}


def _new_still_args(name: str, trajectories: str, sprites: tuple[str, ...], start: int, anchor: str, height: int,
                    seed: int) -> list[str]:
    place = NEW_STILLS[name][2]
    args = _compose_args(place, trajectories, sprites, start, 200, anchor, height, seed)
    args[args.index("--background") + 1] = str(cache_dir() / "stills" / f"{name}.png")
    args[args.index("--homography") + 1] = str(cache_dir() / "stills" / f"{name}_H.txt")
    return args


def _prepare_still(name: str) -> None:
    """The DAVIS frame with its person painted out, and the place's homography scaled to the frame's size."""
    import cv2
    import numpy as np

    seq, index, place, (top, bottom) = NEW_STILLS[name]
    out = cache_dir() / "stills"
    out.mkdir(parents=True, exist_ok=True)
    img = cv2.imread(str(_DAVIS / seq / f"{index:05d}.jpg"))
    mask = cv2.imread(str(DATA / "davis" / "Annotations" / "480p" / seq / f"{index:05d}.png"), cv2.IMREAD_GRAYSCALE)
    hole = cv2.dilate((mask > 127).astype(np.uint8), np.ones((25, 25), np.uint8))
    cv2.imwrite(str(out / f"{name}.png"), cv2.inpaint(img, hole, 7, cv2.INPAINT_TELEA))
    w0, h0 = _FRAME_SIZE[place]
    to_place = np.array([[w0 / img.shape[1], 0, 0], [0, h0 / (bottom - top), -top * h0 / (bottom - top)], [0, 0, 1]])
    h = np.loadtxt(_UCY / place / "H_uv.txt", comments="#") @ to_place
    np.savetxt(out / f"{name}_H.txt", h, header=f"pixel (u,v,1) -> world: {place}'s H_uv, its frame on rows "
               f"{top}-{bottom} of {seq}'s")


def cache_dir() -> Path:
    return Path(os.environ.get("HUMANSEG_SCENES_CACHE", Path.home() / ".cache" / "humanseg" / "scenes"))


HELD_OUT.update({
    "davis_shop": _new_still_args("davis_shop", "crowds_zara01.txt", ("lucia", "breakdance", "dance-twirl"), 6500,
                                  "feet", 70, 61),
    "davis_park": _new_still_args("davis_park", "crowds_zara02.txt", ("stroller", "dance-twirl", "lucia"), 8000,
                                  "head", 55, 67),
    "davis_audience": _new_still_args("davis_audience", "biwi_eth.txt", ("lucia", "stroller", "breakdance"), 1000,
                                      "feet", 65, 71),
})


# a still scaled to a full-HD width (5 Dec): (place, still, width)
HD_STILLS = {"zara01_hd": ("zara01", "bg.png", 1920)}


def _prepare_hd(name: str) -> None:
    """The place's still scaled to ``width`` (bicubic) and its homography scaled with it."""
    import cv2
    import numpy as np

    place, still, width = HD_STILLS[name]
    out = cache_dir() / "stills"
    out.mkdir(parents=True, exist_ok=True)
    img = cv2.imread(str(_UCY / place / still))
    s = width / img.shape[1]
    cv2.imwrite(str(out / f"{name}.png"), cv2.resize(img, None, fx=s, fy=s, interpolation=cv2.INTER_CUBIC))
    h = np.loadtxt(_UCY / place / "H_uv.txt", comments="#") @ np.diag([1 / s, 1 / s, 1.0])
    np.savetxt(out / f"{name}_H.txt", h, header=f"pixel (u,v,1) -> world: {place}'s H_uv, its frame scaled {s:.4f}x")


def _hd_args(name: str, sprites: tuple[str, ...], start: int, frames: int, anchor: str, height: int,
             seed: int) -> list[str]:
    place = HD_STILLS[name][0]
    args = _compose_args(place, "crowds_zara01.txt", sprites, start, frames, anchor, height, seed)
    args[args.index("--background") + 1] = str(cache_dir() / "stills" / f"{name}.png")
    args[args.index("--homography") + 1] = str(cache_dir() / "stills" / f"{name}_H.txt")
    return args


HELD_OUT["zara01_hd"] = _hd_args("zara01_hd", ("stroller", "dance-twirl", "breakdance", "lucia"), 5300, 100, "feet",
                                 145, 21)


# a still darkened to a night scene (5 Dec): (place, still, gamma, gain, blue gain)
NIGHT_STILLS = {"zara01_night": ("zara01", "bg.png", 1.6, 0.35, 1.15)}


def _prepare_night(name: str) -> None:
    """The place's still darkened: gamma, then gain, the blue channel brighter (the homography is the place's)."""
    import cv2
    import numpy as np

    place, still, gamma, gain, blue = NIGHT_STILLS[name]
    out = cache_dir() / "stills"
    out.mkdir(parents=True, exist_ok=True)
    img = cv2.imread(str(_UCY / place / still)).astype(np.float32) / 255.0
    dark = img ** gamma * gain
    dark[..., 0] *= blue
    cv2.imwrite(str(out / f"{name}.png"), np.clip(dark * 255.0, 0, 255).astype(np.uint8))


HELD_OUT["zara01_night"] = _compose_args("zara01", "crowds_zara01.txt", ("lucia", "stroller", "dance-twirl"), 3900,
                                         150, "feet", 60, 23, still="bg.png",
                                         knobs=("--jpeg-quality", "55", "--noise-sigma", "6", "--relight", "1.0",
                                                "--shadow", "0.3"))
HELD_OUT["zara01_night"][HELD_OUT["zara01_night"].index("--background") + 1] = str(
    cache_dir() / "stills" / "zara01_night.png")


# a camera on a pole in the wind (7 Dec): (the largest shift in pixels, seed); every frame and its ground truth moved
# by a uniform random (dx, dy) after composing, the trajectories and the homography left as they are
SHAKEN = {"zara01_shake": (6.0, 0)}
HELD_OUT["zara01_shake"] = _compose_args("zara01", "crowds_zara01.txt", ("lucia", "stroller", "breakdance"), 5500,
                                         150, "feet", 65, 17, still="bg.png")


def _shake(out: Path, amplitude: float, seed: int) -> None:
    """Move each composed frame, its per-person masks and its index mask by the same random shift."""
    import cv2
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    shifts = {}
    for path in sorted((out / "frames").glob("*.jpg")):
        frame = int(path.stem)
        shifts[frame] = np.array([[1, 0, rng.uniform(-amplitude, amplitude)],
                                  [0, 1, rng.uniform(-amplitude, amplitude)]], np.float32)
        img = cv2.imread(str(path))
        cv2.imwrite(str(path), cv2.warpAffine(img, shifts[frame], img.shape[1::-1], flags=cv2.INTER_LINEAR,
                                              borderMode=cv2.BORDER_REFLECT), [cv2.IMWRITE_JPEG_QUALITY, 88])
    for path in sorted((out / "gt").glob("*/*.png")):
        mask = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        cv2.imwrite(str(path), cv2.warpAffine(mask, shifts[int(path.stem)], mask.shape[::-1], flags=cv2.INTER_NEAREST))
    for path in sorted((out / "gt_index").glob("*.png")):
        with Image.open(path) as im:
            palette, index = im.getpalette(), np.array(im)
        moved = Image.fromarray(cv2.warpAffine(index, shifts[int(path.stem)], index.shape[::-1],
                                               flags=cv2.INTER_NEAREST), "P")
        if palette:
            moved.putpalette(palette)
        moved.save(path)


# standing groups (7 Dec): biwi_eth with every odd-numbered person frozen at its mean place (chatting pairs)
FROZEN = {"eth_halfstill": "biwi_eth.txt"}
HELD_OUT["eth_halfstill"] = _compose_args("eth", "biwi_eth.txt", ("lucia", "stroller", "dance-twirl"), 8400, 150,
                                          "feet", 70, 9, still="bg.png")
HELD_OUT["eth_halfstill"][HELD_OUT["eth_halfstill"].index("--trajectories") + 1] = str(
    cache_dir() / "stills" / "eth_halfstill.txt")


def _prepare_frozen(name: str) -> None:
    """The place's trajectories with every odd-numbered person standing at its mean position."""
    import numpy as np

    rows = np.loadtxt(_UCY / "eth" / FROZEN[name])
    for pid in np.unique(rows[:, 1]):
        if int(pid) % 2 == 1:
            mine = rows[:, 1] == pid
            rows[mine, 2], rows[mine, 3] = rows[mine, 2].mean(), rows[mine, 3].mean()
    (cache_dir() / "stills").mkdir(parents=True, exist_ok=True)
    np.savetxt(cache_dir() / "stills" / f"{name}.txt", rows, fmt="%d\t%d\t%.4f\t%.4f")


# a cloud's shadow (7 Dec): 45 % darker, a soft 60 px edge, sweeping across the ground from left to right over the
# clip; the frames relit after composing, the ground truth left as it is (a helper's hunt, ADR 0058)
CLOUDED = {"zara01_cloud": 0.45}
HELD_OUT["zara01_cloud"] = _compose_args("zara01", "crowds_zara01.txt", ("lucia", "stroller", "dance-twirl"), 6600,
                                         120, "feet", 65, 101, still="bg.png")


def _cloud(out: Path, depth: float) -> None:
    """Darken each composed frame under a band 700 px wide (a cloud's shadow) that crosses the frame."""
    import cv2
    import numpy as np

    paths = sorted((out / "frames").glob("*.jpg"))
    grid = None
    for k, path in enumerate(paths):
        img = cv2.imread(str(path)).astype(np.float32)
        h, w = img.shape[:2]
        if grid is None or grid[0].shape != (h, w):
            grid = np.mgrid[0:h, 0:w].astype(np.float32)
        yy, xx = grid
        centre = -350 + k / max(1, len(paths) - 1) * (w + 700)
        d = (xx - centre - 0.4 * (yy - h / 2)) / 350.0
        inside = 1 / (1 + np.exp((np.abs(d) - 1) * 350 / 60.0))
        cv2.imwrite(str(path), np.clip(img * (1 - depth * inside)[..., None], 0, 255).astype(np.uint8),
                    [cv2.IMWRITE_JPEG_QUALITY, 88])


def compose(name: str) -> Path:
    """Compose the held-out scene ``name`` into the cache (once) and return its folder."""
    out = cache_dir() / name
    if (out / "visibility.csv").is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    if name in NEW_STILLS:
        _prepare_still(name)
    if name in HD_STILLS:
        _prepare_hd(name)
    if name in NIGHT_STILLS:
        _prepare_night(name)
    if name in FROZEN:
        _prepare_frozen(name)
    tool = SHARED / "tools" / "compose_scene.py"
    cmd = [sys.executable, str(tool), *HELD_OUT[name], "--out", str(out), "--overwrite"]
    print(f"composing held-out scene {name} into {out} …", file=sys.stderr)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    if name in SHAKEN:
        (out / "visibility.csv").rename(out / "visibility.part")  # not whole until shaken (compose's own check)
        _shake(out, *SHAKEN[name])
        (out / "visibility.part").rename(out / "visibility.csv")
    if name in CLOUDED:
        (out / "visibility.csv").rename(out / "visibility.part")  # not whole until relit
        _cloud(out, CLOUDED[name])
        (out / "visibility.part").rename(out / "visibility.csv")
    return out


def resolve(name: str) -> Path:
    """The folder of a scene given by shared name, held-out name or path (it may not exist)."""
    if name in HELD_OUT:
        return compose(name)
    if "/" in name:
        return Path(name).expanduser()
    return DATA / "scenes" / name


def is_crowd(scene_dir: Path) -> bool:
    """eth_dense-class crowd (the lower IoU target): others hide ≥ 15 % of a person on average.

    (eth_dense 18 %; zara01 7 %, zara01_feet 5 %, zara02_center 9 %, students03 5 %.)
    """
    table = scene_dir / "visibility.csv"
    if not table.is_file():
        return False
    with table.open(newline="") as fh:
        hidden = [1.0 - int(r["visible_area"]) / max(1, int(r["full_area"])) for r in csv.DictReader(fh)]
    return bool(hidden) and sum(hidden) / len(hidden) >= CROWD_OCCLUSION


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="Compose the held-out scenes (all, or those named) into the cache "
                                             "(~/.cache/humanseg/scenes, HUMANSEG_SCENES_CACHE); one already there "
                                             "is kept. A walk's --help composed them all.")
    ap.add_argument("scenes", nargs="*", metavar="SCENE", help=f"held-out scene names (default: all): "
                                                               f"{', '.join(HELD_OUT)}")
    chosen = ap.parse_args().scenes or list(HELD_OUT)
    unknown = [s for s in chosen if s not in HELD_OUT]
    if unknown:
        ap.error(f"no held-out scene {', '.join(unknown)}")
    for scene in chosen:
        folder = compose(scene)
        print(f"{scene}: {folder} (crowd: {is_crowd(folder)})")
