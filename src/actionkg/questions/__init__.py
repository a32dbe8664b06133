"""Asking a built graph: the embedded stores, the SPARQL catalogue and its parameters, the
plain-English mapper, the remote server (push and remote queries) and the catalogue's docs.

A reader: it loads `build/graph.ttl` and never imports the build pipeline.
"""
