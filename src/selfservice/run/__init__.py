"""The long-running processes: the web server (uvicorn factory), the worker and the mail gateway."""
