"""What leaves the service: the outbox's SMTP sender, notification texts and the customer mail
templates (Jinja2)."""
