"""The review workflow of the studio: proposal queue, filmstrip, mask editor, project and job dialogs.

``install_review(main_window)`` (in :mod:`app.review.install`) adds all of it to the main window.
"""
