"""The site: incident pages and index pages for MkDocs, rendered from plain data."""
