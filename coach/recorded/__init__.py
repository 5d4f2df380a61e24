"""Recorded videos: the annotated copy of a replay, and the page's upload-and-analyse flow built on `coach.replay`."""
