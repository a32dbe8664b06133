"""The RDF graph: minting IRIs and triples from the document model and links, SHACL validation,
and the build that writes the output set.

The top of the build pipeline; readers of a built graph never import it (only the static-site
writer may use `graph.validate`).
"""
