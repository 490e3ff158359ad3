"""selfservice: self-service IT support (knowledge base, deflection, tickets)."""

__version__ = "0.1.0"
