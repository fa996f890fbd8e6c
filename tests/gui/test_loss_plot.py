"""The training panel's loss plot: the loss and hold-out J curves, drawn whole inside the plot."""

from app.segmentation.loss_plot import LossPlot


def test_loss_plot_ignores_non_finite_values_and_paints(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.add_loss(1, 0.5)
    plot.add_loss(2, float("nan"))
    plot.add_holdout(2, 0.7)
    assert plot.loss_points() == [(1, 0.5)] and plot.holdout_points() == [(2, 0.7)]
    plot.resize(300, 180)
    image = plot.grab().toImage()
    assert image.width() == 300
    plot.set_log_scale(True)
    plot.grab()
    plot.clear()
    assert plot.loss_points() == []


def test_a_hold_out_dot_on_the_last_step_is_drawn_whole_inside_the_plot(qtbot):
    from PySide6.QtGui import QColor

    from app.segmentation.loss_plot import J_COLOR, LossPlot

    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(300, 160)
    plot.set_total_steps(100)
    plot.add_loss(0, 1.0)
    plot.add_loss(100, 0.5)
    plot.add_holdout(100, 1.0)  # top-right corner: the worst place for a dot
    img = plot.grab().toImage()
    frame = plot._plot_rect()

    def is_j(x, y):
        c = QColor(img.pixel(x, y))
        return abs(c.red() - J_COLOR.red()) + abs(c.green() - J_COLOR.green()) + abs(c.blue() - J_COLOR.blue()) < 60

    dot = [(x, y) for x in range(int(frame.left()) - 4, int(frame.right()) + 5)
           for y in range(int(frame.top()) - 4, int(frame.top()) + 20) if is_j(x, y)]
    assert dot, "the hold-out dot is not drawn"
    xs, ys = [x for x, _ in dot], [y for _, y in dot]
    assert max(xs) - min(xs) >= 5 and max(ys) - min(ys) >= 5  # whole, not cut in half by the frame
    assert max(xs) < frame.right() and min(ys) > frame.top()  # inside the plot area
