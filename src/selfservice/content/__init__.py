"""kb/ content: the typed model and the loader that checks it."""
