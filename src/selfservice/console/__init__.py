"""The staff console: server-rendered pages for engineers and managers."""
