"""Configuration: environment settings, the support configuration and the alert mapping (YAML
read with FILE:LINE errors), national holiday calendars."""
