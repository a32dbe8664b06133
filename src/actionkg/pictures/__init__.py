"""Seeing a built graph: network views (networkx), exports (GraphML, GEXF, Cytoscape JSON, DOT,
SVG/PNG, offline HTML) and stakeholder statistics.

A reader: it may use `questions` to load the graph, never the build pipeline.
"""
