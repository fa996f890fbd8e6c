"""Homography files: conventions (direction, pixel order), projective division, errors, fitted extent."""

import numpy as np
import pytest

from humanseg_core.errors import HomographyError
from humanseg_core.inputs.homography import Homography, load_homography

# A perspective pixel->world matrix (the ETH seq_eth one, uv order).
H_UV = np.array(
    [
        [2.00919e-03, 2.81287e-02, -4.66936e00],
        [2.51955e-02, 8.06257e-04, -5.06088e00],
        [9.25122e-05, 3.45554e-04, 4.62553e-01],
    ]
)


def write_matrix(tmp_path, m, name="H.txt", sep=" ", header="# a header line\n"):
    p = tmp_path / name
    p.write_text(header + "\n".join(sep.join(f"{v:.10e}" for v in row) for row in m) + "\n")
    return p


def test_pixel_to_world_and_back_with_projective_division(tmp_path):
    H = load_homography(write_matrix(tmp_path, H_UV))
    np.testing.assert_allclose(H.matrix, H_UV)
    uv = np.array([[100.0, 200.0], [320.0, 479.0], [600.0, 50.0]])
    p = np.c_[uv, np.ones(3)] @ H_UV.T
    expected = p[:, :2] / p[:, 2:]
    xy = H.pixel_to_world(uv)
    np.testing.assert_allclose(xy, expected)
    assert not np.allclose(xy, p[:, :2])  # the division matters for this matrix
    np.testing.assert_allclose(H.world_to_pixel(xy), uv, atol=1e-8)
    np.testing.assert_allclose(H.world_to_pixel(xy[1]), uv[1], atol=1e-8)  # one point, shape (2,)
    assert H.approximate is False


def test_rowcol_order_swaps_columns(tmp_path):
    rowcol = H_UV[:, [1, 0, 2]]
    Hr = load_homography(write_matrix(tmp_path, rowcol), order="rowcol")
    np.testing.assert_allclose(Hr.matrix, H_UV)
    # and a rowcol matrix read as uv gives different pixels
    wrong = load_homography(write_matrix(tmp_path, rowcol, "w.txt"))
    xy = np.array([[5.0, 3.0]])
    assert not np.allclose(wrong.world_to_pixel(xy), Hr.world_to_pixel(xy))


@pytest.mark.parametrize("order", ["uv", "rowcol"])
def test_world_to_pixel_direction(tmp_path, order):
    w2p_uv = np.linalg.inv(H_UV)
    file_m = w2p_uv if order == "uv" else w2p_uv[[1, 0, 2], :]  # rowcol: the output is (row, col)
    H = load_homography(write_matrix(tmp_path, file_m, sep=","), direction="world-to-pixel", order=order)
    uv = np.array([[10.0, 20.0], [400.0, 300.0]])
    np.testing.assert_allclose(H.pixel_to_world(uv),
                               load_homography(write_matrix(tmp_path, H_UV, "b.txt")).pixel_to_world(uv))


def test_points_beyond_the_horizon_are_nan(tmp_path):
    H = load_homography(write_matrix(tmp_path, H_UV)).with_reference(320, 479)
    # the horizon: pixels where the third row gives 0; points past it map behind the camera
    xy = H.pixel_to_world(np.array([[320.0, 479.0]]))
    assert np.all(np.isfinite(xy))
    far = np.array([[-1e4, -1e4], [1e6, 1e6]])
    w = np.c_[far, np.ones(2)] @ np.linalg.inv(H_UV).T
    out = H.world_to_pixel(far)
    assert np.array_equal(np.isnan(out[:, 0]), w[:, 2] <= 0)
    assert np.isnan(out).any()


def test_negated_matrix_is_the_same_homography(tmp_path):
    a = load_homography(write_matrix(tmp_path, H_UV, "a.txt"))
    b = load_homography(write_matrix(tmp_path, -H_UV, "b.txt"))
    xy = np.array([[3.0, 4.0], [8.0, 1.0]])
    np.testing.assert_allclose(a.world_to_pixel(xy), b.world_to_pixel(xy))
    assert np.all(np.isfinite(b.world_to_pixel(xy)))


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("1 0 0\n0 1 0\n", None, ["found 2 row"]),
        ("1 0 0\n0 1 0\n0 0 1\n1 1 1\n", 4, ["more than 3 rows"]),
        ("1 0 0 0\n0 1 0\n0 0 1\n", 1, ["found 4"]),
        ("10 1 0.5 0.5\n10 2 1 1\n20 1 0.6 0.5\n20 2 1 1.1\n", 1, ["found 4", "is this the trajectory file?"]),
        ("1 0 0\n0 one 0\n0 0 1\n", 2, ["'one'"]),
        ("1 0 0\n0 nan 0\n0 0 1\n", 2, ["finite"]),
        ("1 2 3\n2 4 6\n0 0 1\n", None, ["singular"]),
        ("1 0 0\n0 1e-14 0\n0 0 1\n", None, ["ill-conditioned"]),
        ("0 0 0\n0 0 0\n0 0 0\n", None, ["zeros"]),
        ("", None, ["found 0 row"]),
        ("H matrix\n1 0 0\n0 1 0\n0 0 1\n", 1, ["this line is text, not a matrix row ('H matrix')", "with #"]),
        ("frame pid x y\n10 1 0.5 0.5\n10 2 1 1\n20 1 0.6 0.5\n", 1, ["found 4", "is this the trajectory file?"]),
        ("Homography matrix, ETH 2009\n1 0 0\n0 1 0\n0 0 1\n", 1, ["text, not a matrix row ('Homography matrix, "
                                                                   "ETH 2009')"]),
    ],
)
def test_bad_matrices(tmp_path, text, line, words):
    p = tmp_path / "H.txt"
    p.write_text(text)
    with pytest.raises(HomographyError) as err:
        load_homography(p)
    assert err.value.line == line and str(p) in str(err.value)
    for w in words:
        assert w in err.value.problem


def test_missing_file_and_bad_options(tmp_path):
    with pytest.raises(HomographyError) as err:
        load_homography(tmp_path / "none.txt")
    assert "none.txt" in str(err.value)
    p = write_matrix(tmp_path, np.eye(3))
    with pytest.raises(HomographyError):
        load_homography(p, order="xy")
    with pytest.raises(HomographyError):
        load_homography(p, direction="sideways")
    with pytest.raises(HomographyError):
        Homography(np.eye(2))


def test_fit_to_extent_places_points_inside_with_margin_and_y_up():
    rng = np.random.default_rng(0)
    pts = rng.uniform([-5, 10], [15, 14], size=(200, 2))  # wide extent: x limits the scale
    H = Homography.fit_to_extent(pts, 720, 576)
    assert H.approximate is True
    uv = H.world_to_pixel(pts)
    assert uv[:, 0].min() >= 720 * 0.05 - 1e-6 and uv[:, 0].max() <= 720 * 0.95 + 1e-6
    assert uv[:, 1].min() >= 0 and uv[:, 1].max() <= 576
    np.testing.assert_allclose([uv[:, 0].min(), uv[:, 0].max()], [36, 684], atol=1.0)
    # same scale on both axes, y flipped (north = up)
    a, b = H.world_to_pixel(np.array([[0.0, 12.0], [1.0, 13.0]]))
    assert b[0] - a[0] == pytest.approx(a[1] - b[1])
    assert b[1] < a[1]
    np.testing.assert_allclose(H.pixel_to_world(uv), pts, atol=1e-9)


def test_fit_to_extent_degenerate_inputs():
    H = Homography.fit_to_extent(np.array([[2.0, 3.0]]), 100, 80)  # one point: centred
    np.testing.assert_allclose(H.world_to_pixel(np.array([[2.0, 3.0]])), [[50, 40]])
    with pytest.raises(HomographyError):
        Homography.fit_to_extent(np.zeros((0, 2)), 100, 80)


@pytest.mark.parametrize("layout", ["one line", "one line, commas", "one a line", "numpy brackets", "json",
                                    "matlab", "european"])
def test_the_nine_values_written_other_ways(tmp_path, layout):
    """A new-user walk: nine values on one line ("expected 3 values in a matrix row, found 9"), numpy's and
    JSON's brackets and MATLAB's ';' were refused; each is the same matrix, row-major."""
    rows = [[f"{v:.10e}" for v in row] for row in H_UV]
    flat = [v for row in rows for v in row]
    text = {"one line": " ".join(flat), "one line, commas": ", ".join(flat), "one a line": "\n".join(flat),
            "numpy brackets": "[" + "\n ".join("[" + " ".join(r) + "]" for r in rows) + "]",
            "json": "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]",
            "matlab": "[" + "; ".join(" ".join(r) for r in rows) + "]",
            # a walk's spreadsheet export: ';' between values, decimal commas ("expected 3 values ..., found 2")
            "european": "\n".join(";".join(v.replace(".", ",") for v in r) for r in rows)}[layout]
    p = tmp_path / "H.txt"
    p.write_text("# pixel -> world\n" + text + "\n")
    assert np.allclose(load_homography(p).matrix, H_UV, rtol=1e-9)


def test_eight_values_on_one_line_are_still_refused(tmp_path):
    p = tmp_path / "H.txt"
    p.write_text(" ".join(["1"] * 8) + "\n")
    with pytest.raises(HomographyError, match=r"expected 3 values in a matrix row \(or all 9 on one line\), found 8"):
        load_homography(p)


def test_a_european_file_with_a_short_row_names_that_row(tmp_path):
    p = tmp_path / "H.txt"
    p.write_text("1,5;0;3\n0;2,25\n0;0;1\n")
    with pytest.raises(HomographyError, match=r"line 2: expected 3 values in a matrix row .*found 2"):
        load_homography(p)
    p.write_text("[1 0 3; 0 2; 0 0 1]\n")  # no decimal comma: MATLAB's rows, whose second is short
    with pytest.raises(HomographyError, match=r"line 1: expected 3 values in a matrix row .*found 2"):
        load_homography(p)


def test_commas_between_values_with_matlab_rows_keep_their_own_message(tmp_path):
    p = tmp_path / "H.txt"
    p.write_text("[1,0,3; 0,1,4]\n")  # two rows, commas between values: not a European file (a review)
    with pytest.raises(HomographyError, match=r"expected a 3x3 matrix, found 2 row\(s\)"):
        load_homography(p)
