"""The public knowledge-base site (mkdocs-material), built from kb/."""
