"""Temporal consensus of a person's masks on neighbouring frames: a lost lower body comes back, a piece of a
passing neighbour is vetoed and given back, ownership stays one-to-one. Tiny synthetic masks, well under a
second in all."""

import cv2
import numpy as np

from humanseg_core.proposals.temporal_consensus import (
    ConsensusWindow,
    FrameMasks,
    Part,
    TemporalConfig,
    temporal_consensus,
)

SHAPE = (160, 240)
HT = 60.0  # person height in px; the track point is the feet


def body(u, v, shape=SHAPE, h=HT):
    """A walker's silhouette standing on (u, v): head, torso and legs (bool mask)."""
    m = np.zeros(shape, bool)
    yy, xx = np.mgrid[: shape[0], : shape[1]]
    top = v - h
    m |= (xx - u) ** 2 + (yy - (top + 0.08 * h)) ** 2 <= (0.08 * h) ** 2  # head
    m |= (np.abs(xx - u) <= 0.12 * h) & (yy >= top + 0.15 * h) & (yy < top + 0.55 * h)  # torso
    m |= (np.abs(xx - u) <= 0.09 * h) & (yy >= top + 0.55 * h) & (yy < v)  # legs
    return m


def iou(a, b):
    return float((a & b).sum()) / max(1.0, float((a | b).sum()))


def frames_of(tracks, frames, edit=None, gate=None):
    """FrameMasks of persons {pid: f -> (u, v)} on ``frames``; ``edit(f, masks)`` spoils one frame."""
    out = []
    for f in frames:
        masks = {p: body(*track(f)) for p, track in tracks.items()}
        if edit is not None:
            edit(f, masks)
        out.append(FrameMasks(f, {p: tracks[p](f) for p in tracks}, {p: HT for p in tracks},
                              {p: Part.of(m) for p, m in masks.items()},
                              None if gate is None else gate(f, masks)))
    return out


def walker(u0, speed, v=130.0):
    return lambda f: (u0 + speed * f / 10.0, v)


def test_a_frame_whose_lower_body_is_missing_gets_it_back():
    tracks = {1: walker(60.0, 12.0)}
    target_frame = 20
    lower = int(130 - 0.45 * HT)

    def lose_legs(f, masks):
        if f == target_frame:
            masks[1][lower:] = False  # under the background threshold on this frame only

    def seen(f, masks):  # the background subtraction saw the person (e.g. as shadow), and a foot shadow
        g = body(*tracks[1](f)) | np.zeros(SHAPE, bool)
        g[126:131, :] = True
        return g

    allf = frames_of(tracks, [0, 10, 20, 30, 40], lose_legs, seen)
    target = allf[2]
    truth = body(*tracks[1](target_frame))
    before = target.parts[1].paste(SHAPE)
    assert iou(before, truth) < 0.7
    after = temporal_consensus(target, allf, "feet", SHAPE)[1].paste(SHAPE)
    assert iou(after, truth) > 0.9
    assert not (after & ~truth)[126:131].any()  # the foot-shadow strip nobody's neighbours hold stays out
    # without the background subtraction's word nothing is filled
    blind = FrameMasks(target.frame, target.points, target.heights, target.parts, np.zeros(SHAPE, bool))
    assert iou(temporal_consensus(blind, allf, "feet", SHAPE)[1].paste(SHAPE), truth) < 0.7
    # the step off: unchanged
    off = temporal_consensus(target, allf, "feet", SHAPE, TemporalConfig(enabled=False))[1].paste(SHAPE)
    assert (off == before).all()


def test_a_one_frame_intruder_is_vetoed_and_goes_back_to_its_owner():
    # person 1 walks right; person 2 walks left at another depth and passes beside 1 at frame 20, where
    # person 1's mask took the near half of person 2
    tracks = {1: walker(80.0, 6.0, v=120.0), 2: walker(170.0, -15.0, v=132.0)}

    def steal(f, masks):
        if f == 20:
            piece = masks[2] & (np.arange(SHAPE[1])[None, :] < tracks[2](f)[0])
            masks[1] |= piece
            masks[2] &= ~piece

    allf = frames_of(tracks, [0, 10, 20, 30, 40], steal)
    target = allf[2]
    own1 = body(*tracks[1](20))
    intruder = target.parts[1].paste(SHAPE) & ~own1
    assert intruder.sum() > 150
    out = temporal_consensus(target, allf, "feet", SHAPE)
    m1, m2 = out[1].paste(SHAPE), out[2].paste(SHAPE)
    assert (m1 & intruder).sum() <= 0.1 * intruder.sum()  # vetoed ...
    assert (m2 & intruder).sum() >= 0.8 * intruder.sum()  # ... and given to the person it belongs to
    assert (m1 & own1).sum() >= 0.95 * own1.sum()  # person 1's own body stays
    assert not (m1 & m2).any()  # one-to-one


def test_a_moving_limb_nobody_else_claims_is_kept():
    # a dancer's arm that appears on one frame only: no other person's neighbours hold it, so no veto
    tracks = {1: walker(100.0, 5.0)}

    def arm(f, masks):
        if f == 20:
            masks[1][85:90, 115:140] = True

    allf = frames_of(tracks, [0, 10, 20, 30, 40], arm)
    out = temporal_consensus(allf[2], allf, "feet", SHAPE)[1].paste(SHAPE)
    assert out[85:90, 115:140].all()


def test_too_few_neighbours_change_nothing():
    tracks = {1: walker(100.0, 5.0), 2: walker(140.0, -5.0)}
    allf = frames_of(tracks, [0, 10])
    lone = temporal_consensus(allf[0], allf, "feet", SHAPE)
    assert all((lone[p].mask == allf[0].parts[p].mask).all() for p in tracks)
    # neighbours nearer than min_gap do not vote
    close = frames_of(tracks, [0, 1, 2, 3])
    same = temporal_consensus(close[0], close, "feet", SHAPE)
    assert all((same[p].mask == close[0].parts[p].mask).all() for p in tracks)


def test_the_window_returns_every_frame_once_in_order_after_its_later_neighbours():
    tracks = {1: walker(60.0, 12.0)}
    allf = frames_of(tracks, [0, 10, 20, 30, 40, 50])
    window = ConsensusWindow("feet", SHAPE, TemporalConfig(window=20))
    seen = []
    for masks in allf:
        ready = window.push(masks, masks.frame)
        seen += [payload for payload, _parts in ready]
        assert all(f + 20 < masks.frame for f in seen)  # a frame waits for its neighbours 20 frames on
    seen += [payload for payload, _parts in window.flush()]
    assert seen == [0, 10, 20, 30, 40, 50]
    off = ConsensusWindow("feet", SHAPE, TemporalConfig(enabled=False))
    assert [p for p, _ in off.push(allf[0], "now")] == ["now"]  # off: nothing waits


def test_thin_rims_that_the_neighbours_hold_are_not_added():
    # the neighbours' masks carry a 2 px halo (blur) all round; alignment is not that precise, so the rim
    # is no missing body part and the frame's clean mask stays as it is
    tracks = {1: walker(60.0, 12.0)}

    def halo(f, masks):
        if f != 20:
            masks[1] = cv2.dilate(masks[1].astype(np.uint8), np.ones((5, 5), np.uint8)) > 0

    allf = frames_of(tracks, [0, 10, 20, 30, 40], halo, lambda f, masks: np.ones(SHAPE, bool))
    before = allf[2].parts[1].paste(SHAPE)
    after = temporal_consensus(allf[2], allf, "feet", SHAPE)[1].paste(SHAPE)
    assert (after & ~before).sum() <= 0.02 * before.sum()


def test_with_many_neighbours_one_that_shares_the_intrusion_does_not_save_it():
    # interpolated frames (--extra-frames) give many votes; a piece of the passing neighbour that one of
    # them also holds is still vetoed (fewer than veto_share of the votes)
    tracks = {1: walker(80.0, 6.0, v=120.0), 2: walker(130.0, -4.0, v=132.0)}
    frames = [0, 5, 10, 15, 20, 25, 30, 35, 40]

    def steal(f, masks):
        if f in (20, 25):
            piece = masks[2] & (np.arange(SHAPE[1])[None, :] < tracks[2](f)[0])
            masks[1] |= piece
            masks[2] &= ~piece

    allf = frames_of(tracks, frames, steal)
    target = allf[frames.index(20)]
    intruder = target.parts[1].paste(SHAPE) & ~body(*tracks[1](20))
    kept = {}
    for share in (0.25, 0.0):
        out = temporal_consensus(target, allf, "feet", SHAPE, TemporalConfig(veto_share=share))
        kept[share] = (out[1].paste(SHAPE) & intruder).sum() / intruder.sum()
    assert kept[0.25] <= 0.1
    assert kept[0.0] >= 0.3  # one vote is enough to keep it when the share is off



def test_pixels_both_neighbours_fill_go_to_the_nearer_person():
    """Two persons crossing, one behind the other, lose the same piece on the frame where they overlap: each
    one's neighbours (apart on those frames) hold it, and the nearer person (feet lower) gets it back."""
    tracks = {1: walker(60.0, 10.0, v=130.0), 2: walker(100.0, -10.0, v=124.0)}
    target_frame = 20
    piece = np.zeros(SHAPE, bool)
    piece[85:105] = True

    def lose(f, masks):
        masks[2] &= ~masks[1]  # one owner a pixel: the nearer body hides the farther one
        if f == target_frame:
            for m in masks.values():
                m &= ~piece

    def seen(f, masks):
        return body(*tracks[1](f)) | body(*tracks[2](f))

    allf = frames_of(tracks, [0, 10, 20, 30, 40], lose, seen)
    out = temporal_consensus(allf[2], allf, "feet", SHAPE)
    near, far = out[1].paste(SHAPE), out[2].paste(SHAPE)
    front = body(*tracks[1](target_frame))
    assert not (near & far).any()
    assert (near & front & piece).sum() > 0.9 * (front & piece).sum()
    assert not (far & front & piece).any()  # the piece the nearer body hides is not the farther person's
