"""HumanSeg Studio: the Qt user interface. All model work happens in humanseg_core, off the GUI thread."""
