"""Reading pages: sources and their manifest, the text helpers, the document model (Plan ›
Section › Action › ProgressUpdate with spans), the page layouts, dating and the outline.

This wing knows no RDF; a new page layout is a reader here that yields the same document model.
"""
