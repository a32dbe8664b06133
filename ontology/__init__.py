"""Package data: the OWL ontology, the SHACL shapes and the JSON-LD context."""
