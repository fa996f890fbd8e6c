"""HumanSeg Studio core: data, proposals, training and evaluation. Never imports Qt."""

__version__ = "0.1.0"
