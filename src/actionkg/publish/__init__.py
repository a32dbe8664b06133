"""Publishing a built graph as linked data: the static site, the HTTP server and the SPARQL
endpoint live here.

A reader: it may use `questions` and `pictures`; only the static-site writer may use
`graph.validate` (for its own dataset description).
"""
