"""Package data: the bundled source pages, their manifest and the entity registry."""
