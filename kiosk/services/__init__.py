"""Use cases the views call: each takes its collaborators as keyword arguments."""
