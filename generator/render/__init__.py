"""The output formats: Markdown from the document model, HTML from that Markdown, PDF from that HTML."""
