"""The studio's segmentation side: training, segmenting, playback of results, quality and MP4 export.

``install.install_segmentation(main_window)`` adds the panels to the main window.
"""
