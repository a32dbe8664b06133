"""actionkg: an action plan as a knowledge graph people can trust, query, see and publish."""

__version__ = "0.1.0"
