"""Inputs: video frames, trajectories, homography, and the scene that ties them together."""
